/**
 * The engine between the wire layer and the handlers: it owns Terraform's plan and apply rules
 * (defaults, unknown computed values, replacement, consistency of results) so that handlers only
 * talk to vendors. It knows nothing about gRPC or msgpack.
 */
import { createHash } from 'node:crypto';
import { systemClock, type IClock } from '../../core/clock';
import { Diagnostics, type PathStep } from '../../core/diagnostics';
import { APIACCESS_CONFIG_MISSING, ApiAccessError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { registerSecret } from '../../core/redact';
import { checkConfigShape } from './config-checks';
import { credentialDiagnostic, refusedSetting, VERIFY_TIMEOUT_MS, verifyVendorCredentials } from './credentials';
import { containsUnknown, ctyEqual, isUnknown, UNKNOWN, type CtyValue } from './cty';
import { CreateJournal, type CreateEntry } from './create-journal';
import { createOnce } from './create-once';
import type { VendorProvider } from './provider';
import type { ObjectValue, ResourceContext, ResourceHandler } from './resource';
import type { AttributeSchema, ResourceSchema } from './schema';
import { assertValidSchema } from './schema';
import { resolveSettings, SANDBOX_URL_ENV, SANDBOX_URL_SETTING, settingEnvName, type ResolvedVendor } from './settings';
import { upgradeStoredState, type StateCodec, type StoredState } from './state-upgrade';
import { OtherTypesEngine } from './engine-other';
import { checkWriteOnlySupport, nullWriteOnly, type ClientCapabilities } from './write-only';
import { FunctionsEngine } from './functions';

export { SANDBOX_URL_ENV, SANDBOX_URL_SETTING, settingEnvName } from './settings';
export type { StateCodec, StoredState } from './state-upgrade';

/** Options of {@link ProviderEngine}. */
export interface EngineOptions {
  /** Time limit of one vendor's credential check. @default VERIFY_TIMEOUT_MS */
  readonly verifyTimeoutMs?: number;
  /** Where creates are recorded before they are sent; @default an in-memory journal (no crash safety). */
  readonly journal?: CreateJournal;
  /** Clock for waits between create attempts. @default the system clock */
  readonly clock?: IClock;
}

interface Registered {
  readonly vendor: VendorProvider;
  readonly handler: ResourceHandler;
}

/** Result of a lifecycle call: a state (or null) and diagnostics. */
export interface EngineResult<T> {
  readonly value: T;
  readonly diagnostics: Diagnostics;
}

export interface PlanResult {
  readonly planned: ObjectValue | null;
  readonly requiresReplace: readonly string[];
  readonly diagnostics: Diagnostics;
}

/** Drives resource handlers with Terraform's semantics. One per provider process. */
export class ProviderEngine {
  private readonly resources = new Map<string, Registered>();
  private readonly clients = new Map<string, unknown>();
  private settings = new Map<string, ResolvedVendor>();
  /** One credential check per vendor and configuration (explicit ones start at configure). */
  private verified = new Map<string, Promise<Diagnostics>>();
  private stopController = new AbortController();
  readonly providerSchema: ResourceSchema;
  readonly journal: CreateJournal;
  private readonly clock: IClock;
  /** Data sources and ephemeral resources. */
  readonly other: OtherTypesEngine;
  /** Provider-defined functions. */
  readonly functions: FunctionsEngine;

  constructor(
    private readonly vendors: readonly VendorProvider[],
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly options: EngineOptions = {},
  ) {
    this.journal = options.journal ?? new CreateJournal(null);
    this.clock = options.clock ?? systemClock;
    const attributes: Record<string, AttributeSchema> = {
      [SANDBOX_URL_SETTING]: {
        type: 'string',
        optional: true,
        description: `Base URL of the apiaccess vendor sandbox; every vendor whose credentials are not set explicitly then uses it with the sandbox's seeded managing credentials. Falls back to ${SANDBOX_URL_ENV}; an empty string turns the sandbox off.`,
      },
    };
    for (const vendor of vendors) {
      for (const [setting, schema] of Object.entries(vendor.settings)) {
        attributes[`${vendor.name}_${setting}`] = {
          ...schema,
          description: `${schema.description} Falls back to ${settingEnvName(vendor.name, setting)}.`,
        };
      }
      for (const handler of vendor.resources) {
        assertValidSchema(handler.typeName, handler.schema);
        this.resources.set(handler.typeName, { vendor, handler });
      }
    }
    this.providerSchema = { version: 0, description: 'apiaccess: API credentials at security vendors.', attributes };
    this.functions = new FunctionsEngine(vendors);
    this.other = new OtherTypesEngine(vendors, (vendor, typeName, diags) => this.contextFor(vendor, typeName, diags));
  }

  /** Every resource type and its schema. */
  resourceSchemas(): Map<string, ResourceSchema> {
    return new Map([...this.resources].map(([name, r]) => [name, r.handler.schema]));
  }

  /** The schema of `typeName`, or undefined. */
  resourceSchema(typeName: string): ResourceSchema | undefined {
    return this.resources.get(typeName)?.handler.schema;
  }

  /** Signal handed to handlers; aborted by {@link stop}. */
  get signal(): AbortSignal {
    return this.stopController.signal;
  }

  /** Terraform's StopProvider: cancels waits in flight. */
  stop(): void {
    this.stopController.abort(new Error('Terraform asked the provider to stop.'));
  }

  /** Terraform ended this provider process normally (Shutdown): it received every answer given. */
  shutdown(): void {
    this.journal.deliverOwn();
  }

  /** Attribute checks, and settings that would mix explicit values with the sandbox's, where known. */
  validateProviderConfig(config: ObjectValue): Diagnostics {
    const diags = runValidators(this.providerSchema, config, new Diagnostics());
    return diags.append(resolveSettings(this.vendors, config, this.env).diagnostics);
  }

  /**
   * Resolves every vendor's settings (configuration, then environment, then sandbox seed for
   * vendors without explicit credentials) and checks, in parallel, the credentials of every vendor
   * that has explicit ones, so that a wrong secret fails `terraform plan` here.
   */
  async configure(config: ObjectValue): Promise<Diagnostics> {
    const diags = new Diagnostics();
    for (const [name, value] of Object.entries(config)) {
      if (isUnknown(value)) {
        diags.error(
          'Provider Configuration Not Known',
          `The provider setting "${name}" depends on a value that is not known until apply. Set it to a value known at plan time.`,
          [name],
        );
      }
    }
    // A reattached provider is configured more than once: start from the new settings.
    this.clients.clear();
    this.verified = new Map();
    if (this.stopController.signal.aborted) this.stopController = new AbortController();
    const resolution = resolveSettings(this.vendors, config, this.env);
    this.settings = resolution.vendors;
    diags.append(resolution.diagnostics);
    for (const vendor of this.vendors) {
      const resolved = this.settings.get(vendor.name);
      for (const [setting, schema] of Object.entries(vendor.settings)) if (schema.sensitive) registerSecret(resolved?.settings[setting] ?? null);
    }
    for (const entry of this.journal.unplaced()) diags.warning('Credential Created Outside State', unplacedDetail(entry));
    if (diags.hasErrors) return diags;
    const checks = this.vendors
      .filter((vendor) => this.settings.get(vendor.name)?.explicit)
      .map((vendor) => {
        const client = this.explicitClient(vendor, diags);
        return client === undefined ? undefined : this.verify(vendor, client, true);
      });
    for (const result of await Promise.all(checks)) if (result) diags.append(result);
    return diags;
  }

  /** Builds the client of a vendor with explicit credentials at configure; a missing setting is reported there. */
  private explicitClient(vendor: VendorProvider, diags: Diagnostics): unknown {
    try {
      const client = vendor.createClient(this.settings.get(vendor.name)?.settings ?? {}, this.logger);
      this.clients.set(vendor.name, client);
      return client;
    } catch (err) {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_CONFIG_MISSING && err.field) {
        const attr = `${vendor.name}_${err.field}`;
        diags.error(
          'Missing Provider Setting',
          `The ${vendor.name} credentials are set explicitly, so the provider also needs "${attr}". Set it in the provider block, or export ${settingEnvName(vendor.name, err.field)}.`,
          [attr],
        );
      } else {
        reportError(diags, 'Provider Configuration Invalid', `The ${vendor.name} settings are not usable`, err);
      }
      return undefined;
    }
  }

  /** The (cached) credential check of `vendor`. */
  private verify(vendor: VendorProvider, client: unknown, atConfigure: boolean): Promise<Diagnostics> {
    let check = this.verified.get(vendor.name);
    if (!check) {
      const timeoutMs = this.options.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS;
      check = verifyVendorCredentials(vendor, client, this.settings.get(vendor.name), this.signal, timeoutMs, atConfigure);
      this.verified.set(vendor.name, check);
    }
    return check;
  }

  /** The handler context after the vendor's credentials were checked once (sandbox ones: on first use). */
  private async ready(r: Registered, diags: Diagnostics, planned?: ObjectValue, made?: string[]): Promise<ResourceContext<unknown> | undefined> {
    const ctx = this.context(r, diags, planned, made);
    if (!ctx) return undefined;
    const checked = await this.verify(r.vendor, ctx.client, false);
    if (!checked.hasErrors) return ctx;
    diags.append(checked);
    return undefined;
  }

  /** Like {@link reportError}, but a vendor refusing its credentials names the provider setting to check. */
  private report(r: Registered, diags: Diagnostics, summary: string, what: string, err: unknown): void {
    const setting = refusedSetting(r.vendor, err);
    if (setting) credentialDiagnostic(diags, r.vendor, setting, err as ApiAccessError, this.settings.get(r.vendor.name), false);
    else reportError(diags, summary, what, err);
  }

  /**
   * PlanResourceChange's vendor half: the handler's `checkPlan` with the configured client, after
   * {@link planResourceChange} found nothing wrong. No vendor changes.
   */
  async checkPlannedChange(typeName: string, prior: ObjectValue | null, planned: ObjectValue | null): Promise<Diagnostics> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r?.handler.checkPlan || planned === null) return diags;
    const ctx = await this.ready(r, diags);
    if (ctx) await this.runCheckPlan(r, prior, planned, ctx);
    return diags;
  }

  /** Runs `checkPlan`; false when it reported an error (then nothing may change at the vendor). */
  private async runCheckPlan(r: Registered, prior: ObjectValue | null, planned: ObjectValue, ctx: ResourceContext<unknown>): Promise<boolean> {
    if (!r.handler.checkPlan) return true;
    try {
      await r.handler.checkPlan({ prior, planned }, ctx);
    } catch (err) {
      this.report(r, ctx.diagnostics, 'Plan Check Failed', `Checking the planned ${r.handler.typeName} with ${r.vendor.name} failed`, err);
    }
    return !ctx.diagnostics.hasErrors;
  }

  validateResourceConfig(typeName: string, config: ObjectValue): Diagnostics {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return diags;
    runValidators(r.handler.schema, config, diags);
    if (!diags.hasErrors) r.handler.validateConfig?.({ config }, diags);
    return diags;
  }

  /** UpgradeResourceState: the stored state in the current schema shape, by its stored version (see state-upgrade.ts). */
  upgradeResourceState(typeName: string, stored: StoredState, codec: StateCodec): EngineResult<ObjectValue | null> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: null, diagnostics: diags };
    return upgradeStoredState(r.handler, stored, codec, (state) => this.complete(r.handler.schema, state));
  }

  planResourceChange(
    typeName: string,
    prior: ObjectValue | null,
    proposed: ObjectValue | null,
    config: ObjectValue | null,
    caps?: ClientCapabilities,
  ): PlanResult {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r || proposed === null || config === null) return { planned: null, requiresReplace: [], diagnostics: diags };
    const schema = r.handler.schema;
    if (prior !== null && typeof prior.id === 'string') this.journal.settle(typeName, prior.id);
    runValidators(schema, config, diags);
    checkWriteOnlySupport(schema, typeName, config, caps, diags);
    if (!diags.hasErrors) r.handler.validateConfig?.({ config }, diags);
    if (diags.hasErrors) return { planned: null, requiresReplace: [], diagnostics: diags };

    // Write-only values are in the proposed state but must be planned null (they reach apply through the config).
    const planned: ObjectValue = nullWriteOnly(schema, { ...proposed });
    for (const [name, a] of Object.entries(schema.attributes)) {
      if (!a.computed) continue;
      const configured = a.optional && config[name] !== null && config[name] !== undefined;
      if (configured) continue;
      if (a.default !== undefined) planned[name] = a.default;
      else if (prior === null) planned[name] = UNKNOWN;
      else planned[name] = prior[name] ?? null;
    }

    const requiresReplace: string[] = [];
    if (prior !== null) {
      const changed = Object.entries(schema.attributes).filter(
        ([name, a]) => (a.optional || a.required) && !sameValue(a, prior[name] ?? null, planned[name] ?? null),
      );
      for (const [name, a] of changed) if (a.requiresReplace) requiresReplace.push(name);
      if (requiresReplace.length > 0) {
        for (const [name, a] of Object.entries(schema.attributes)) if (a.computed && !a.optional) planned[name] = UNKNOWN;
      } else if (changed.length > 0) {
        for (const [name, a] of Object.entries(schema.attributes)) if (a.computed && !a.optional && a.changesOnUpdate) planned[name] = UNKNOWN;
      }
    }
    const replacing = requiresReplace.length > 0;
    r.handler.modifyPlan?.({ prior, planned, config, requiresReplace }, diags);
    if (!replacing && requiresReplace.length > 0) {
      // modifyPlan asked for a replacement (e.g. rotation due): the new object's computed values are unknown.
      for (const [name, a] of Object.entries(schema.attributes)) if (a.computed && !a.optional) planned[name] = UNKNOWN;
    }
    if (prior === null && !containsUnknown(configurable(schema, planned))) {
      const fp = fingerprint(typeName, schema, planned);
      const waiting = this.journal.all().find((x) => x.fingerprint === fp && this.journal.adoptable(x));
      if (waiting) {
        diags.warning(
          'Interrupted Create Will Be Taken Over',
          `An earlier run was interrupted while creating ${typeName} ${waiting.what} (sent ${new Date(waiting.at).toISOString()}). ` +
            'This apply sends that create again under the same idempotency key, so the object that run made is adopted instead of a second one being created.',
        );
      }
    }
    return { planned, requiresReplace, diagnostics: diags };
  }

  async applyResourceChange(
    typeName: string,
    prior: ObjectValue | null,
    planned: ObjectValue | null,
    config: ObjectValue | null = null,
  ): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: prior, diagnostics: diags };
    if (prior !== null && typeof prior.id === 'string') this.journal.settle(typeName, prior.id);
    const made: string[] = [];
    const ctx = await this.ready(r, diags, planned ?? prior ?? {}, made);
    if (!ctx) return { value: prior, diagnostics: diags };
    if (planned === null) {
      if (prior === null) return { value: null, diagnostics: diags };
      try {
        await r.handler.delete({ state: prior }, ctx);
        return { value: null, diagnostics: diags };
      } catch (err) {
        this.report(r, diags, 'Delete Failed', `Deleting ${typeName} "${String(prior.id)}" failed`, err);
        return { value: prior, diagnostics: diags };
      }
    }
    const creating = prior === null;
    if (!(await this.runCheckPlan(r, prior, planned, ctx))) return { value: prior, diagnostics: diags };
    let state: ObjectValue;
    try {
      const withConfig = config === null ? {} : { config };
      state = creating ? await r.handler.create({ planned, ...withConfig }, ctx) : await r.handler.update({ prior, planned, ...withConfig }, ctx);
    } catch (err) {
      this.report(r, diags, creating ? 'Create Failed' : 'Update Failed', `${creating ? 'Creating' : 'Updating'} ${typeName} failed`, err);
      for (const key of made) {
        // The vendor made the object, but no state carries it: report it until an apply adopts it.
        this.journal.orphaned(key);
        diags.warning(
          'Created Object Not In State',
          `${typeName} was created at ${r.vendor.name} before a later step failed, so it is not in Terraform state. ` +
            'The next apply with the same configuration takes it over (same idempotency key); until then terraform plan lists it.',
        );
      }
      return { value: prior, diagnostics: diags };
    }
    const complete = this.complete(r.handler.schema, state);
    if (diags.hasErrors) {
      // The handler got the object only part of the way (e.g. created but permissions refused):
      // record what exists, unknowns as null, so Terraform keeps it (tainted) instead of losing it.
      return { value: withoutUnknowns(complete), diagnostics: diags };
    }
    this.checkResult(typeName, r.handler.schema, planned, complete, creating, diags);
    return { value: diags.hasErrors ? withoutUnknowns(complete) : complete, diagnostics: diags };
  }

  async readResource(typeName: string, state: ObjectValue): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: state, diagnostics: diags };
    const ctx = await this.ready(r, diags);
    if (!ctx) return { value: state, diagnostics: diags };
    try {
      const next = await r.handler.read({ state }, ctx);
      if (next === null) return { value: null, diagnostics: diags };
      if (typeof state.id === 'string') this.journal.settle(typeName, state.id);
      const complete = this.complete(r.handler.schema, next);
      if (containsUnknown(complete)) throw new Error(`read of ${typeName} returned an unknown value`);
      return { value: complete, diagnostics: diags };
    } catch (err) {
      this.report(r, diags, 'Read Failed', `Reading ${typeName} "${String(state.id)}" failed`, err);
      return { value: state, diagnostics: diags };
    }
  }

  async importResourceState(typeName: string, id: string): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: null, diagnostics: diags };
    if (!r.handler.importState) {
      diags.error('Import Not Supported', `${typeName} cannot be imported.`);
      return { value: null, diagnostics: diags };
    }
    const ctx = await this.ready(r, diags);
    if (!ctx) return { value: null, diagnostics: diags };
    try {
      return { value: this.complete(r.handler.schema, await r.handler.importState({ id }, ctx)), diagnostics: diags };
    } catch (err) {
      this.report(r, diags, 'Import Failed', `Importing ${typeName} "${id}" failed`, err);
      return { value: null, diagnostics: diags };
    }
  }

  private lookup(typeName: string, diags: Diagnostics): Registered | undefined {
    const r = this.resources.get(typeName);
    if (!r) diags.error('Unknown Resource Type', `The provider has no resource type "${typeName}".`);
    return r;
  }

  private context(r: Registered, diags: Diagnostics, planned: ObjectValue = {}, made: string[] = []): ResourceContext<unknown> | undefined {
    return this.contextFor(r.vendor, r.handler.typeName, diags, { schema: r.handler.schema, planned, made });
  }

  /**
   * The lifecycle context of a `typeName` call: the vendor's client (built once), or undefined with a
   * diagnostic. `create` says what identifies a create made through it (see createOnce).
   */
  contextFor(
    vendor: VendorProvider,
    typeName: string,
    diags: Diagnostics,
    create: { readonly schema?: ResourceSchema; readonly planned?: ObjectValue; readonly made?: string[] } = {},
  ): ResourceContext<unknown> | undefined {
    const r = { vendor, handler: { typeName } };
    const planned = create.planned ?? {};
    const made = create.made ?? [];
    let client = this.clients.get(r.vendor.name);
    if (client === undefined) {
      const settings = this.settings.get(r.vendor.name)?.settings ?? {};
      try {
        client = r.vendor.createClient(settings, this.logger);
      } catch (err) {
        if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_CONFIG_MISSING && err.field) {
          const attr = `${r.vendor.name}_${err.field}`;
          diags.error(
            'Missing Provider Setting',
            `${r.handler.typeName} needs the provider setting "${attr}". Set it in the provider block, or export ${settingEnvName(r.vendor.name, err.field)}, or (with no ${r.vendor.name} credentials set) point the provider at the vendor sandbox with ${SANDBOX_URL_ENV}.`,
          );
        } else {
          reportError(diags, 'Provider Configuration Invalid', `The ${r.vendor.name} settings are not usable`, err);
        }
        return undefined;
      }
      this.clients.set(r.vendor.name, client);
    }
    const identity = {
      vendor: r.vendor.name,
      type: typeName,
      fingerprint: fingerprint(typeName, create.schema ?? { version: 0, description: '', attributes: {} }, planned),
    };
    const env = { clock: this.clock, logger: this.logger, signal: this.signal };
    return {
      client,
      diagnostics: diags,
      logger: this.logger,
      signal: this.signal,
      createOnce: async (what, send, idOf, options) => {
        const out = await createOnce(this.journal, identity, { what, keyed: options?.keyed }, send, idOf, env);
        made.push(out.key);
        if (out.adopted) {
          diags.warning(
            'Interrupted Create Taken Over',
            `An earlier run was interrupted while creating ${typeName} ${what}; this apply sent that create again under the same idempotency key and adopted the object it made.`,
          );
        }
        return out.created;
      },
    };
  }

  /** Adds attributes the handler left out (as null), drops unknown keys and nulls write-only values. */
  private complete(schema: ResourceSchema, state: ObjectValue): ObjectValue {
    const out: ObjectValue = {};
    for (const [name, a] of Object.entries(schema.attributes)) {
      const v = a.writeOnly ? null : (state[name] ?? null);
      if (a.sensitive && typeof v === 'string') registerSecret(v);
      out[name] = v;
    }
    return out;
  }

  private checkResult(typeName: string, schema: ResourceSchema, planned: ObjectValue, state: ObjectValue, creating: boolean, diags: Diagnostics): void {
    for (const [name, a] of Object.entries(schema.attributes)) {
      const want = planned[name] ?? null;
      const got = state[name] ?? null;
      if (containsUnknown(got)) {
        diags.error(
          'Provider Returned Unknown Value',
          `${typeName}.${name} is still unknown after ${creating ? 'create' : 'update'}; this is a bug in the provider.`,
          [name],
        );
      } else if (!containsUnknown(want) && !sameValue(a, want, got)) {
        diags.error(
          'Vendor Did Not Apply The Planned Value',
          `After ${creating ? 'create' : 'update'}, ${typeName}.${name} does not hold the planned value. The vendor may have normalised it; run terraform plan to see the difference.`,
          [name],
        );
      }
    }
  }
}

/** The configurable attributes of a planned object (what identifies "the same create"). */
function configurable(schema: ResourceSchema, planned: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, a] of Object.entries(schema.attributes)) if (a.optional || a.required) out[name] = planned[name] ?? null;
  return out;
}

/** Hash of the type and its configurable attributes, keys and set elements in a stable order. */
export function fingerprint(typeName: string, schema: ResourceSchema, planned: ObjectValue): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
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

/** Replaces unknown attribute values with null (a result returned alongside errors). */
function withoutUnknowns(state: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [k, v] of Object.entries(state)) out[k] = containsUnknown(v) ? null : v;
  return out;
}

function sameValue(a: AttributeSchema, x: CtyValue, y: CtyValue): boolean {
  return ctyEqual(a.type, x, y);
}

/**
 * Runs the generic checks (null for a required attribute, null entries, values on computed-only
 * attributes), then the schema's attribute validators over every known, non-null value.
 */
export function runValidators(schema: ResourceSchema, config: ObjectValue, diags: Diagnostics): Diagnostics {
  checkConfigShape(schema, config, diags);
  for (const [name, a] of Object.entries(schema.attributes)) {
    const v = config[name] ?? null;
    if (v === null || isUnknown(v) || !a.validators) continue;
    for (const validate of a.validators) validate(v, [name] as PathStep[], diags);
  }
  return diags;
}

/** Turns a thrown error into an error diagnostic; ApiAccessError `field` becomes the attribute path. */
export function reportError(diags: Diagnostics, summary: string, what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const field = ApiAccessError.isApiAccessError(err) ? err.field : undefined;
  const detail = `${what}: ${message}`;
  diags.error(summary, /[.!?]$/.test(detail) ? detail : `${detail}.`, field ? [field] : undefined);
}
