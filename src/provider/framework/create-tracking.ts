/**
 * The engine's side of safe creates: what identifies "the same create" (a fingerprint of the type
 * and its configurable attributes), the `createOnce` a lifecycle context offers, and the warnings a
 * plan gives about creates of interrupted runs (see create-journal.ts and create-once.ts).
 */
import { createHash } from 'node:crypto';
import type { IClock } from '../../core/clock';
import type { Diagnostics } from '../../core/diagnostics';
import type { Logger } from '../../core/log';
import { containsUnknown } from './cty';
import type { CreateEntry, CreateJournal } from './create-journal';
import { createOnce } from './create-once';
import type { ObjectValue, ResourceContext } from './resource';
import type { ResourceSchema } from './schema';

/** The configurable attributes of a planned object. */
function configurable(schema: ResourceSchema, planned: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, a] of Object.entries(schema.attributes)) if (a.optional || a.required) out[name] = planned[name] ?? null;
  return out;
}

/** Hash of the type and its configurable attributes, keys and set elements in a stable order. */
function fingerprint(typeName: string, schema: ResourceSchema, planned: ObjectValue): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return typeof v === 'bigint' ? String(v) : v;
  };
  return createHash('sha256')
    .update(`${typeName}\n${JSON.stringify(canonical(configurable(schema, planned)))}`)
    .digest('hex');
}

function unplacedDetail(x: CreateEntry): string {
  const object = x.id !== undefined ? `${x.type} "${x.id}"` : `${x.type} ${x.what}`;
  const answer = x.id !== undefined ? `The vendor created it (ID ${x.id})` : 'The create was sent but its answer never arrived, so it may exist';
  return (
    `${x.vendor}: ${object} (${x.what}, sent ${new Date(x.at).toISOString()}) was created by a run that was interrupted before Terraform recorded it. ` +
    `${answer}, and it is in no Terraform state the provider has seen. ` +
    (x.keyed
      ? 'An apply whose configuration still declares it takes it over under the same idempotency key; if none does, delete it at the vendor or import it.'
      : `${x.vendor} gives no way to recognise it, so the provider will not guess: look for it at the vendor, then import it or delete it.`)
  );
}

/** One provider process's use of the create journal. */
export class CreateTracker {
  constructor(
    readonly journal: CreateJournal,
    private readonly clock: IClock,
    private readonly logger: Logger,
  ) {}

  /** Terraform holds `state` in its state (refresh, plan or apply saw it): its create is done. */
  seen(typeName: string, state: ObjectValue | null): void {
    if (state !== null && typeof state.id === 'string') this.journal.settle(typeName, state.id);
  }

  /** ConfigureProvider: every create of an interrupted run that no state holds, as a warning. */
  warnUnplaced(diags: Diagnostics): void {
    for (const entry of this.journal.unplaced()) diags.warning('Credential Created Outside State', unplacedDetail(entry));
  }

  /** PlanResourceChange of a create: says when the apply will take over an interrupted run's create. */
  warnTakeOver(typeName: string, schema: ResourceSchema, planned: ObjectValue, diags: Diagnostics): void {
    if (containsUnknown(configurable(schema, planned))) return;
    const fp = fingerprint(typeName, schema, planned);
    const waiting = this.journal.all().find((x) => x.fingerprint === fp && this.journal.adoptable(x));
    if (!waiting) return;
    diags.warning(
      'Interrupted Create Will Be Taken Over',
      `An earlier run was interrupted while creating ${typeName} ${waiting.what} (sent ${new Date(waiting.at).toISOString()}). ` +
        'This apply sends that create again under the same idempotency key, so the object that run made is adopted instead of a second one being created.',
    );
  }

  /** The `createOnce` of a lifecycle context; keys of the creates it made go to `made`. */
  createOnceFor(
    vendor: string,
    typeName: string,
    schema: ResourceSchema | undefined,
    planned: ObjectValue,
    made: string[],
    diags: Diagnostics,
    signal: AbortSignal,
  ): ResourceContext<unknown>['createOnce'] {
    // Hashed at the first create only: most contexts (read, plan checks) never create.
    let identity: { vendor: string; type: string; fingerprint: string } | undefined;
    const env = { clock: this.clock, logger: this.logger, signal };
    return async (what, send, idOf, options) => {
      identity ??= { vendor, type: typeName, fingerprint: fingerprint(typeName, schema ?? { version: 0, description: '', attributes: {} }, planned) };
      const out = await createOnce(this.journal, identity, { what, keyed: options?.keyed }, send, idOf, env);
      made.push(out.key);
      if (out.adopted) {
        diags.warning(
          'Interrupted Create Taken Over',
          `An earlier run was interrupted while creating ${typeName} ${what}; this apply sent that create again under the same idempotency key and adopted the object it made.`,
        );
      }
      return out.created;
    };
  }

  /** A create went through but a later step failed: the object is in no state; report it until taken over. */
  orphaned(typeName: string, vendor: string, made: readonly string[], diags: Diagnostics): void {
    for (const key of made) {
      this.journal.orphaned(key);
      diags.warning(
        'Created Object Not In State',
        `${typeName} was created at ${vendor} before a later step failed, so it is not in Terraform state. ` +
          'The next apply with the same configuration takes it over (same idempotency key); until then terraform plan lists it.',
      );
    }
  }
}
