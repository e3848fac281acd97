/**
 * The engine between the wire layer and the handlers: it owns Terraform's plan and apply rules
 * (defaults, unknown computed values, replacement, consistency of results) so that handlers only
 * talk to vendors. It knows nothing about gRPC or msgpack.
 */
import { Diagnostics, type PathStep } from '../../core/diagnostics';
import { APIACCESS_CONFIG_MISSING, ApiAccessError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { registerSecret } from '../../core/redact';
import { containsUnknown, ctyEqual, isUnknown, UNKNOWN, type CtyValue } from './cty';
import type { VendorProvider, VendorSettings } from './provider';
import type { ObjectValue, ResourceContext, ResourceHandler } from './resource';
import type { AttributeSchema, ResourceSchema } from './schema';
import { assertValidSchema } from './schema';
import { OtherTypesEngine } from './engine-other';

/** Provider-level setting that points every vendor at the vendor sandbox. */
export const SANDBOX_URL_SETTING = 'sandbox_url';
/** Environment fallback of {@link SANDBOX_URL_SETTING}. */
export const SANDBOX_URL_ENV = 'APIACCESS_SANDBOX_URL';

/** Environment variable that backs a vendor setting, e.g. APIACCESS_SIGNICAT_CLIENT_ID. */
export function settingEnvName(vendor: string, setting: string): string {
  return `APIACCESS_${vendor}_${setting}`.toUpperCase();
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
  private settings = new Map<string, VendorSettings>();
  private stopController = new AbortController();
  readonly providerSchema: ResourceSchema;
  /** Data sources and ephemeral resources. */
  readonly other: OtherTypesEngine;

  constructor(
    private readonly vendors: readonly VendorProvider[],
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const attributes: Record<string, AttributeSchema> = {
      [SANDBOX_URL_SETTING]: {
        type: 'string',
        optional: true,
        description: `Base URL of the apiaccess vendor sandbox; every vendor then uses it with the sandbox's seeded managing credentials. Falls back to ${SANDBOX_URL_ENV}.`,
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

  validateProviderConfig(config: ObjectValue): Diagnostics {
    return runValidators(this.providerSchema, config, new Diagnostics());
  }

  /** Resolves every vendor's settings: configuration, then environment, then sandbox seed. */
  configure(config: ObjectValue): Diagnostics {
    const diags = new Diagnostics();
    const str = (v: CtyValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
    for (const [name, value] of Object.entries(config)) {
      if (isUnknown(value)) {
        diags.error(
          'Provider Configuration Not Known',
          `The provider setting "${name}" depends on a value that is not known until apply. Set it to a value known at plan time.`,
          [name],
        );
      }
    }
    const sandboxUrl = str(config[SANDBOX_URL_SETTING]) ?? str(this.env[SANDBOX_URL_ENV]);
    // A reattached provider is configured more than once: start from the new settings.
    this.settings = new Map();
    this.clients.clear();
    if (this.stopController.signal.aborted) this.stopController = new AbortController();
    for (const vendor of this.vendors) {
      const fromSandbox = sandboxUrl ? vendor.sandboxSettings(sandboxUrl.replace(/\/+$/, '')) : {};
      const resolved: Record<string, string | null> = {};
      for (const [setting, schema] of Object.entries(vendor.settings)) {
        const value = str(config[`${vendor.name}_${setting}`]) ?? str(this.env[settingEnvName(vendor.name, setting)]) ?? fromSandbox[setting] ?? null;
        if (schema.sensitive) registerSecret(value);
        resolved[setting] = value;
      }
      this.settings.set(vendor.name, resolved);
    }
    return diags;
  }

  validateResourceConfig(typeName: string, config: ObjectValue): Diagnostics {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return diags;
    runValidators(r.handler.schema, config, diags);
    if (!diags.hasErrors) r.handler.validateConfig?.({ config }, diags);
    return diags;
  }

  /** Brings a stored state into the current schema shape: unknown attributes dropped, missing ones null. */
  upgradeResourceState(typeName: string, state: { [k: string]: unknown }): EngineResult<ObjectValue | null> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: null, diagnostics: diags };
    const out: ObjectValue = {};
    for (const name of Object.keys(r.handler.schema.attributes)) out[name] = (state[name] ?? null) as CtyValue;
    return { value: out, diagnostics: diags };
  }

  planResourceChange(typeName: string, prior: ObjectValue | null, proposed: ObjectValue | null, config: ObjectValue | null): PlanResult {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r || proposed === null || config === null) return { planned: null, requiresReplace: [], diagnostics: diags };
    const schema = r.handler.schema;
    runValidators(schema, config, diags);
    if (!diags.hasErrors) r.handler.validateConfig?.({ config }, diags);
    if (diags.hasErrors) return { planned: null, requiresReplace: [], diagnostics: diags };

    const planned: ObjectValue = { ...proposed };
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
    return { planned, requiresReplace, diagnostics: diags };
  }

  async applyResourceChange(typeName: string, prior: ObjectValue | null, planned: ObjectValue | null): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: prior, diagnostics: diags };
    const ctx = this.context(r, diags);
    if (!ctx) return { value: prior, diagnostics: diags };
    if (planned === null) {
      if (prior === null) return { value: null, diagnostics: diags };
      try {
        await r.handler.delete({ state: prior }, ctx);
        return { value: null, diagnostics: diags };
      } catch (err) {
        reportError(diags, 'Delete Failed', `Deleting ${typeName} "${String(prior.id)}" failed`, err);
        return { value: prior, diagnostics: diags };
      }
    }
    const creating = prior === null;
    let state: ObjectValue;
    try {
      state = creating ? await r.handler.create({ planned }, ctx) : await r.handler.update({ prior, planned }, ctx);
    } catch (err) {
      reportError(diags, creating ? 'Create Failed' : 'Update Failed', `${creating ? 'Creating' : 'Updating'} ${typeName} failed`, err);
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
    const ctx = this.context(r, diags);
    if (!ctx) return { value: state, diagnostics: diags };
    try {
      const next = await r.handler.read({ state }, ctx);
      if (next === null) return { value: null, diagnostics: diags };
      const complete = this.complete(r.handler.schema, next);
      if (containsUnknown(complete)) throw new Error(`read of ${typeName} returned an unknown value`);
      return { value: complete, diagnostics: diags };
    } catch (err) {
      reportError(diags, 'Read Failed', `Reading ${typeName} "${String(state.id)}" failed`, err);
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
    const ctx = this.context(r, diags);
    if (!ctx) return { value: null, diagnostics: diags };
    try {
      return { value: this.complete(r.handler.schema, await r.handler.importState({ id }, ctx)), diagnostics: diags };
    } catch (err) {
      reportError(diags, 'Import Failed', `Importing ${typeName} "${id}" failed`, err);
      return { value: null, diagnostics: diags };
    }
  }

  private lookup(typeName: string, diags: Diagnostics): Registered | undefined {
    const r = this.resources.get(typeName);
    if (!r) diags.error('Unknown Resource Type', `The provider has no resource type "${typeName}".`);
    return r;
  }

  private context(r: Registered, diags: Diagnostics): ResourceContext<unknown> | undefined {
    return this.contextFor(r.vendor, r.handler.typeName, diags);
  }

  /** The lifecycle context of a `typeName` call: the vendor's client (built once), or undefined with a diagnostic. */
  contextFor(vendor: VendorProvider, typeName: string, diags: Diagnostics): ResourceContext<unknown> | undefined {
    const r = { vendor, handler: { typeName } };
    let client = this.clients.get(r.vendor.name);
    if (client === undefined) {
      const settings = this.settings.get(r.vendor.name) ?? {};
      try {
        client = r.vendor.createClient(settings, this.logger);
      } catch (err) {
        if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_CONFIG_MISSING && err.field) {
          const attr = `${r.vendor.name}_${err.field}`;
          diags.error(
            'Missing Provider Setting',
            `${r.handler.typeName} needs the provider setting "${attr}". Set it in the provider block, or export ${settingEnvName(r.vendor.name, err.field)}, or point the provider at the vendor sandbox with ${SANDBOX_URL_ENV}.`,
          );
        } else {
          reportError(diags, 'Provider Configuration Invalid', `The ${r.vendor.name} settings are not usable`, err);
        }
        return undefined;
      }
      this.clients.set(r.vendor.name, client);
    }
    return { client, diagnostics: diags, logger: this.logger, signal: this.signal };
  }

  /** Adds attributes the handler left out (as null) and drops unknown keys. */
  private complete(schema: ResourceSchema, state: ObjectValue): ObjectValue {
    const out: ObjectValue = {};
    for (const [name, a] of Object.entries(schema.attributes)) {
      const v = state[name] ?? null;
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

/** Replaces unknown attribute values with null (a result returned alongside errors). */
function withoutUnknowns(state: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [k, v] of Object.entries(state)) out[k] = containsUnknown(v) ? null : v;
  return out;
}

function sameValue(a: AttributeSchema, x: CtyValue, y: CtyValue): boolean {
  return ctyEqual(a.type, x, y);
}

/** Runs the schema's attribute validators over every known, non-null value. */
export function runValidators(schema: ResourceSchema, config: ObjectValue, diags: Diagnostics): Diagnostics {
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
