/**
 * Turns a resource spec plus a small handler (vendor calls only) into a {@link ResourceHandler}
 * the engine drives. The framework does what every handler used to do by hand: it derives the
 * schema and plan-time validators from the spec, converts wire values into the typed model,
 * diffs planned against prior so `update` gets a patch of the changed attributes only, keeps
 * show-once values from the prior state, parses composite import IDs, and renames the vendor's
 * field names to attributes on error paths.
 */
import type { Diagnostics, PathStep } from '../../core/diagnostics';
import { systemClock, type IClock } from '../../core/clock';
import { ApiAccessError } from '../../core/errors';
import {
  configurableNames,
  parseDuration,
  parseImportId,
  type AttributeSpec,
  type AttributeSpecs,
  type ConfigModel,
  type Model,
  type Patch,
  type ResourceSpec,
  type SettingsSpec,
  type Validator,
} from '../../spec';
import { BigNumber, ctyEqual, isUnknown, UNKNOWN, type CtyValue } from './cty';
import { ListCache } from './list-cache';
import type {
  CheckPlanRequest,
  ModifyPlanRequest,
  ObjectValue,
  ResourceContext,
  ResourceHandler,
  UpgradeStateRequest,
  ValidateConfigRequest,
} from './resource';
import type { AttributeSchema, AttributeValidator, ResourceSchema } from './schema';

/** Names of the show-once attributes of `A`. */
type ShowOnceKeys<A extends AttributeSpecs> = { [K in keyof A]: A[K] extends { showOnce: true } ? K : never }[keyof A];
/** Names of the attributes the framework keeps in state and never sends to the vendor. */
type LocalKeys<A extends AttributeSpecs> = { [K in keyof A]: A[K] extends { local: true } ? K : never }[keyof A];
/** Names of the write-only attributes (never in state: the framework returns them null). */
type WriteOnlyKeys<A extends AttributeSpecs> = { [K in keyof A]: A[K] extends { writeOnly: true } ? K : never }[keyof A];
type Kept<A extends AttributeSpecs> = ShowOnceKeys<A> | LocalKeys<A> | WriteOnlyKeys<A>;
/** What `read`, `create` and `update` return: the model without the show-once and local values the framework keeps. */
export type ReadModel<A extends AttributeSpecs> = Omit<Model<A>, Kept<A>> & Partial<Pick<Model<A>, Kept<A>>>;

/** The vendor calls of one resource type; everything else follows from its spec. */
export interface SpecHandler<C, A extends AttributeSpecs> {
  /** Creates the object from the configuration (defaults applied); returns the whole new state. */
  create(config: ConfigModel<A>, ctx: ResourceContext<C>): Promise<ReadModel<A>>;
  /** What the vendor holds now, or null when the object is gone. After import, only the import-ID parts and `id` are set. */
  read(state: Model<A>, ctx: ResourceContext<C>): Promise<ReadModel<A> | null>;
  /** Applies the changed attributes only. Optional when every configurable attribute requires replacement. */
  update?(state: Model<A>, patch: Patch<A>, ctx: ResourceContext<C>): Promise<ReadModel<A>>;
  /** Deletes; an object already gone is not an error. */
  delete(state: Model<A>, ctx: ResourceContext<C>): Promise<void>;
  /**
   * Batched refresh (optional): every object of the scope `state` belongs to, all pages. With it,
   * one list per provider process serves the reads of the type (see list-cache.ts); an object the
   * list lacks is confirmed with `read` before it is reported gone.
   */
  list?(state: Model<A>, ctx: ResourceContext<C>): Promise<ReadModel<A>[]>;
  /** The list scope of `state`, e.g. the parent's ID for objects listed per parent. Default: one scope. */
  listScope?(state: Model<A>): string;
  /**
   * Completes what the vendor holds (listed or read) with the prior state, for values only
   * Terraform knows (e.g. when it received a secret). Runs after every refresh that found the object.
   */
  refine?(current: ReadModel<A>, state: Model<A>): ReadModel<A>;
  /** Vendor-side checks of a planned change (values may be unknown at plan): see ResourceHandler.checkPlan. */
  checkPlan?(req: CheckPlanRequest, ctx: ResourceContext<C>): Promise<void>;
  /** Upgrades an older state version: see ResourceHandler.upgradeState. */
  upgradeState?(req: UpgradeStateRequest): ObjectValue;
  /**
   * Gives the object new show-once values in place (e.g. Carbon Black's "Generate New Credentials").
   * Called at update when the plan marks a show-once attribute unknown: a due in-place rotation
   * (spec `rotation.inPlace`) or the handler's own `modifyPlan` (see {@link planRegeneration}).
   */
  regenerate?(state: Model<A>, ctx: ResourceContext<C>): Promise<ReadModel<A>>;
  /** Cross-attribute checks of the configuration: see ResourceHandler.validateConfig. */
  validateConfig?(req: ValidateConfigRequest, diags: Diagnostics): void;
  /** Adjusts the plan after the framework's own changes (no vendor calls): see ResourceHandler.modifyPlan. */
  modifyPlan?(req: ModifyPlanRequest, diags: Diagnostics): void;
}

/**
 * Plans an in-place regeneration: every show-once attribute, the rotation's creation time and the
 * computed attributes that change on update become unknown. For a handler's `modifyPlan`.
 */
export function planRegeneration(spec: ResourceSpec, planned: ObjectValue): void {
  for (const [name, a] of Object.entries(spec.attributes)) {
    if (a.showOnce || name === spec.rotation?.createdAt || (a.computed && !a.optional && a.changesOnUpdate)) planned[name] = UNKNOWN;
  }
}

/** A spec validator as a plan-time attribute validator. */
export function planValidator(validate: Validator): AttributeValidator {
  return (value: CtyValue, path: readonly PathStep[], diags: Diagnostics) => {
    const problem = validate(value, isUnknown);
    if (problem !== undefined) diags.error('Invalid Attribute Value', `${String(path[0])} ${problem}`, path);
  };
}

/** The framework schema of one attribute spec. */
export function attributeSchema(a: AttributeSpec): AttributeSchema {
  return {
    type: a.type,
    description: a.description,
    ...(a.required ? { required: true } : {}),
    ...(a.optional ? { optional: true } : {}),
    ...(a.computed ? { computed: true } : {}),
    ...(a.sensitive ? { sensitive: true } : {}),
    ...(a.default !== undefined ? { default: a.default as CtyValue } : {}),
    ...(a.requiresReplace ? { requiresReplace: true } : {}),
    ...(a.changesOnUpdate ? { changesOnUpdate: true } : {}),
    ...(a.writeOnly ? { writeOnly: true } : {}),
    ...(a.validators ? { validators: a.validators.map(planValidator) } : {}),
  };
}

/** The framework schema of a resource spec. */
export function schemaFromSpec(spec: ResourceSpec): ResourceSchema {
  const attributes: Record<string, AttributeSchema> = {};
  for (const [name, a] of Object.entries(spec.attributes)) attributes[name] = attributeSchema(a);
  return { version: spec.version, description: spec.description, attributes };
}

/** A vendor's provider settings (unprefixed) from its settings spec. */
export function settingsFromSpec(spec: SettingsSpec): { [setting: string]: AttributeSchema } {
  return Object.fromEntries(Object.entries(spec.attributes).map(([name, a]) => [name, attributeSchema(a)]));
}

/** Wire value → model value: large numbers as JS numbers, string sets sorted. */
function toModelValue(a: AttributeSpec, v: CtyValue | undefined): unknown {
  if (v === undefined || v === null || isUnknown(v)) return null;
  if (v instanceof BigNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map((el) => (el instanceof BigNumber ? Number(el.text) : el));
  return a.type === 'number' && typeof v === 'string' ? Number(v) : v;
}

function toModel<A extends AttributeSpecs>(attributes: A, obj: ObjectValue, only?: readonly string[]): Model<A> {
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(attributes)) if (!only || only.includes(name)) out[name] = toModelValue(a, obj[name]);
  return out as Model<A>;
}

/** Model → state object; sets of strings are kept sorted so state is stable. */
function fromModel(attributes: AttributeSpecs, model: object): ObjectValue {
  const out: ObjectValue = {};
  const m = model as Record<string, unknown>;
  for (const [name, a] of Object.entries(attributes)) {
    const v = m[name];
    if (v === undefined) continue;
    out[name] = (Array.isArray(v) && Array.isArray(a.type) && a.type[0] === 'set' ? [...(v as string[])].sort() : v) as CtyValue;
  }
  return out;
}

/** Rethrows `err` with the vendor's field name replaced by the attribute that holds it. */
export function withAttributePath(attributes: AttributeSpecs, err: unknown): never {
  if (ApiAccessError.isApiAccessError(err) && err.field) {
    const field = err.field;
    // The vendor's own name wins over an attribute that happens to share it (Signicat's secret `id` is secret_id).
    const match = Object.entries(attributes).find(([, a]) => a.vendorField === field) ?? Object.entries(attributes).find(([name]) => name === field);
    if (match && match[0] !== field) Object.defineProperty(err, 'field', { value: match[0], enumerable: true });
  }
  throw err;
}

/** Options of {@link resourceFromSpec}. */
export interface SpecResourceOptions {
  /** The clock rotation ages are measured on. @default the system clock */
  readonly clock?: IClock;
}

/** Builds the engine-facing handler of `spec` from its vendor calls. */
export function resourceFromSpec<C, A extends AttributeSpecs>(
  spec: ResourceSpec<A>,
  handler: SpecHandler<C, A>,
  options: SpecResourceOptions = {},
): ResourceHandler<C> {
  const attrs = spec.attributes;
  const clock = options.clock ?? systemClock;
  const local = configurableNames(attrs).filter((n) => attrs[n]!.local);
  const configurable = configurableNames(attrs).filter((n) => !attrs[n]!.local);
  const showOnce = Object.entries(attrs)
    .filter(([, a]) => a.showOnce)
    .map(([n]) => n);
  if (spec.rotation?.inPlace && !handler.regenerate) throw new Error(`${spec.typeName}: rotation.inPlace needs the handler's regenerate`);
  const writeOnly = configurable.filter((n) => attrs[n]!.writeOnly);
  /** The configured write-only values (null in plan and state; only the configuration has them). */
  const writeOnlyOf = (config: ObjectValue | null | undefined): Record<string, unknown> =>
    Object.fromEntries(writeOnly.map((n) => [n, toModelValue(attrs[n]!, config?.[n])]));
  if (!handler.update) {
    const inPlace = configurable.filter((n) => !attrs[n]!.requiresReplace);
    if (inPlace.length > 0) throw new Error(`${spec.typeName}: update is required, since ${inPlace.join(', ')} can change in place`);
  }
  const guard = <T>(p: Promise<T>): Promise<T> => p.catch((err: unknown) => withAttributePath(attrs, err));
  const lists = new ListCache<ReadModel<A>>(clock);
  /** What the vendor holds for `state`: from this process's list of its scope when the handler can list, else read. */
  const current = async (state: Model<A>, ctx: ResourceContext<C>): Promise<ReadModel<A> | null> => {
    const id = (state as { id?: unknown }).id;
    if (handler.list && typeof id === 'string' && typeof ctx.client === 'object' && ctx.client !== null) {
      const scope = handler.listScope?.(state) ?? '';
      const listed = await lists.find(
        ctx.client,
        scope,
        id,
        () => guard(handler.list!(state, ctx)),
        (item) => String((item as { id?: unknown }).id),
      );
      if (listed) return listed;
    }
    return guard(handler.read(state, ctx));
  };
  const wrote = (ctx: ResourceContext<C>): void => {
    if (typeof ctx.client === 'object' && ctx.client !== null) lists.invalidate(ctx.client);
  };
  /** The handler's result as state, with show-once values kept from `prior` where the handler gave none. */
  const toState = (result: object, prior: ObjectValue | null, planned: ObjectValue | null = null): ObjectValue => {
    const state = fromModel(attrs, result);
    for (const n of showOnce) if (state[n] === undefined || state[n] === null) state[n] = prior?.[n] ?? null;
    for (const n of local) state[n] = (planned ?? prior)?.[n] ?? null;
    for (const n of writeOnly) state[n] = null;
    return state;
  };
  /** Rotation (VENDOR-DONE §4): a secret older than rotation_period is planned for replacement, with the reason as a warning. */
  const rotate = (prior: ObjectValue, planned: ObjectValue, config: ObjectValue, requiresReplace: string[], diags: Diagnostics): void => {
    const period = config.rotation_period;
    const createdAt = spec.rotation ? prior[spec.rotation.createdAt] : undefined;
    if (!spec.rotation || typeof period !== 'string' || typeof createdAt !== 'string' || requiresReplace.length > 0) return;
    const seconds = parseDuration(period);
    const created = Date.parse(createdAt);
    if (seconds === undefined || Number.isNaN(created) || clock.now() - created < seconds * 1000) return;
    if (spec.rotation.inPlace) {
      planRegeneration(spec, planned);
      diags.warning(
        'Rotation Due',
        `${spec.typeName} "${String(prior.id)}" got its secret at ${createdAt}, more than rotation_period (${period}) ago: rotation due, so the plan regenerates it in place (the old secret stops working when the new one is issued).`,
        ['rotation_period'],
      );
      return;
    }
    requiresReplace.push(spec.rotation.createdAt);
    planned[spec.rotation.createdAt] = UNKNOWN;
    diags.warning(
      'Rotation Due',
      `${spec.typeName} "${String(prior.id)}" was created at ${createdAt}, more than rotation_period (${period}) ago: rotation due, so the plan replaces it.`,
      ['rotation_period'],
    );
  };

  return {
    typeName: spec.typeName,
    schema: schemaFromSpec(spec),
    ...(spec.rotation || handler.modifyPlan
      ? {
          modifyPlan: (req, diags) => {
            if (req.prior) rotate(req.prior, req.planned, req.config, req.requiresReplace, diags);
            handler.modifyPlan?.(req, diags);
          },
        }
      : {}),
    ...(handler.validateConfig || spec.configChecks
      ? {
          validateConfig: (req, diags) => {
            for (const check of spec.configChecks ?? []) {
              const found = check(req.config, isUnknown);
              if (found) diags.error('Invalid Attribute Combination', `${found.attribute} ${found.problem}`, [found.attribute]);
            }
            handler.validateConfig?.(req, diags);
          },
        }
      : {}),
    ...(handler.checkPlan ? { checkPlan: (req, ctx) => guard(handler.checkPlan!(req, ctx)) } : {}),
    ...(handler.upgradeState ? { upgradeState: (req) => handler.upgradeState!(req) } : {}),
    async create(req, ctx) {
      wrote(ctx);
      const config = { ...toModel(attrs, req.planned, configurable), ...writeOnlyOf(req.config) } as ConfigModel<A>;
      return toState(await guard(handler.create(config, ctx)), null, req.planned);
    },
    async read(req, ctx) {
      const prior = toModel(attrs, req.state);
      const next = await current(prior, ctx);
      if (next === null) return null;
      return toState(handler.refine ? handler.refine(next, prior) : next, req.state);
    },
    async update(req, ctx) {
      const patch: Record<string, unknown> = {};
      for (const n of configurable) {
        const a = attrs[n]!;
        if (!ctyEqual(a.type, req.prior[n] ?? null, req.planned[n] ?? null)) patch[n] = toModelValue(a, req.planned[n]);
      }
      const regenerate = handler.regenerate !== undefined && showOnce.some((n) => isUnknown(req.planned[n] ?? null));
      let result: object = toModel(attrs, req.prior);
      // Only framework-kept attributes changed (or nothing can change in place): no vendor call.
      if (handler.update && Object.keys(patch).length > 0) {
        wrote(ctx);
        // Write-only values are never in the diff: the change that triggers the update (e.g. a *_version) brings them along.
        Object.assign(patch, writeOnlyOf(req.config));
        result = await guard(handler.update(toModel(attrs, req.prior), patch as Patch<A>, ctx));
      }
      if (regenerate) {
        wrote(ctx);
        result = await guard(handler.regenerate!(toModel(attrs, toState(result, req.prior, req.planned)), ctx));
      }
      return toState(result, req.prior, req.planned);
    },
    async delete(req, ctx) {
      wrote(ctx);
      await guard(handler.delete(toModel(attrs, req.state), ctx));
    },
    ...(spec.importId
      ? {
          async importState(req, ctx) {
            const parts = parseImportId(spec.importId!, spec.typeName, req.id);
            for (const n of showOnce) {
              ctx.diagnostics.warning(
                'Value Not Imported',
                `${spec.typeName}.${n} stays null after import: the vendor shows it only once, at creation. Replace the object to have it in state.`,
                [n],
              );
            }
            return { id: req.id.trim(), ...parts };
          },
        }
      : {}),
  };
}
