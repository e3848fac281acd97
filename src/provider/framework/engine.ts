/**
 * The engine between the wire layer and the handlers: it owns Terraform's plan and apply rules
 * (defaults, unknown computed values, replacement, consistency of results) so that handlers only
 * talk to vendors. It knows nothing about gRPC or msgpack.
 */
import { systemClock, type IClock } from '../../core/clock';
import { Diagnostics } from '../../core/diagnostics';
import { APIACCESS_CONFIG_MISSING, ApiAccessError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { registerSecret } from '../../core/redact';
import { credentialDiagnostic, refusedSetting, VERIFY_TIMEOUT_MS, verifyVendorCredentials } from './credentials';
import { containsUnknown, ctyEqual, isUnknown, UNKNOWN } from './cty';
import { CreateJournal } from './create-journal';
import { CreateTracker } from './create-tracking';
import type { VendorProvider } from './provider';
import type { ObjectValue, ResourceContext, ResourceHandler } from './resource';
import type { ResourceSchema } from './schema';
import { checkResult, completeState, reportError, runValidators, withoutUnknowns } from './results';
import { assertValidSchema } from './schema';
import { providerSchemaOf, resolveSettings, SANDBOX_URL_ENV, settingEnvName, type ResolvedVendor } from './settings';
import { upgradeStoredState, type StateCodec, type StoredState } from './state-upgrade';
import { OtherTypesEngine } from './engine-other';
import { checkWriteOnlySupport, nullWriteOnly, type ClientCapabilities } from './write-only';
import { FunctionsEngine } from './functions';

export { SANDBOX_URL_ENV, SANDBOX_URL_SETTING, settingEnvName } from './settings';
export type { StateCodec, StoredState } from './state-upgrade';
export { reportError, runValidators } from './results';

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
  private readonly creates: CreateTracker;
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
    this.creates = new CreateTracker(this.journal, options.clock ?? systemClock, logger);
    for (const vendor of vendors) {
      for (const handler of vendor.resources) {
        assertValidSchema(handler.typeName, handler.schema);
        this.resources.set(handler.typeName, { vendor, handler });
      }
    }
    this.providerSchema = providerSchemaOf(vendors);
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
    this.creates.warnUnplaced(diags);
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
    if (ctx) await this.runCheckPlan(r, prior, planned, ctx, 'plan');
    return diags;
  }

  /** Runs `checkPlan`; false when it reported an error (then nothing may change at the vendor). */
  private async runCheckPlan(
    r: Registered,
    prior: ObjectValue | null,
    planned: ObjectValue,
    ctx: ResourceContext<unknown>,
    phase: 'plan' | 'apply',
  ): Promise<boolean> {
    if (!r.handler.checkPlan) return true;
    try {
      await r.handler.checkPlan({ prior, planned, phase }, ctx);
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
    return upgradeStoredState(r.handler, stored, codec, (state) => completeState(r.handler.schema, state));
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
    this.creates.seen(typeName, prior);
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
        ([name, a]) => (a.optional || a.required) && !ctyEqual(a.type, prior[name] ?? null, planned[name] ?? null),
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
    if (prior === null) this.creates.warnTakeOver(typeName, schema, planned, diags);
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
    this.creates.seen(typeName, prior);
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
    if (!(await this.runCheckPlan(r, prior, planned, ctx, 'apply'))) return { value: prior, diagnostics: diags };
    let state: ObjectValue;
    try {
      const withConfig = config === null ? {} : { config };
      state = creating ? await r.handler.create({ planned, ...withConfig }, ctx) : await r.handler.update({ prior, planned, ...withConfig }, ctx);
    } catch (err) {
      this.report(r, diags, creating ? 'Create Failed' : 'Update Failed', `${creating ? 'Creating' : 'Updating'} ${typeName} failed`, err);
      this.creates.orphaned(typeName, r.vendor.name, made, diags);
      return { value: prior, diagnostics: diags };
    }
    const complete = completeState(r.handler.schema, state);
    if (diags.hasErrors) {
      // The handler got the object only part of the way (e.g. created but permissions refused):
      // record what exists, unknowns as null, so Terraform keeps it (tainted) instead of losing it.
      return { value: withoutUnknowns(complete), diagnostics: diags };
    }
    checkResult(typeName, r.handler.schema, planned, complete, creating, diags);
    return { value: diags.hasErrors ? withoutUnknowns(complete) : complete, diagnostics: diags };
  }

  async readResource(typeName: string, state: ObjectValue): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const r = this.lookup(typeName, diags);
    if (!r) return { value: state, diagnostics: diags };
    // Terraform holds it in state, whether or not the vendor still does: its create is done (a
    // create of the same configuration later is a new object, never a replay of this one).
    this.creates.seen(typeName, state);
    const ctx = await this.ready(r, diags);
    if (!ctx) return { value: state, diagnostics: diags };
    try {
      const next = await r.handler.read({ state }, ctx);
      if (next === null) return { value: null, diagnostics: diags };
      const complete = completeState(r.handler.schema, next);
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
      return { value: completeState(r.handler.schema, await r.handler.importState({ id }, ctx)), diagnostics: diags };
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
    return {
      client,
      diagnostics: diags,
      logger: this.logger,
      signal: this.signal,
      createOnce: this.creates.createOnceFor(vendor.name, typeName, create.schema, planned, made, diags, this.signal),
    };
  }
}
