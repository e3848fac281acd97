/**
 * What a resource handler implements: Terraform's lifecycle in Terraform's words. Handlers see
 * plain objects keyed by attribute name (never protobuf or msgpack) and report problems through
 * diagnostics or by throwing; the engine turns throws into diagnostics with the attribute path.
 */
import type { Diagnostics } from '../../core/diagnostics';
import type { Logger } from '../../core/log';
import type { CtyValue } from './cty';
import type { ResourceSchema } from './schema';

/** A resource object: one key per schema attribute. */
export type ObjectValue = { [attribute: string]: CtyValue };

/** What every lifecycle call gets besides its request. */
export interface ResourceContext<C> {
  /** The vendor client built from the provider configuration. */
  readonly client: C;
  readonly diagnostics: Diagnostics;
  readonly logger: Logger;
  /** Aborted when Terraform asks the provider to stop. */
  readonly signal: AbortSignal;
  /**
   * Sends a create identified by this call, never by name or time (see create-once.ts): `send`
   * gets the idempotency key to pass as `Idempotency-Key`, and is called again with the same key
   * when an answer is lost; an interrupted run's create of the same configuration is taken over
   * (the vendor replays its answer). `idOf` returns the Terraform `id` the new state will have.
   * Set `keyed: false` for an object type whose vendor has no idempotency key: a lost answer then
   * fails loudly instead of being sent again.
   */
  createOnce<T>(what: string, send: (idempotencyKey: string) => Promise<T>, idOf: (created: T) => string, options?: { readonly keyed?: boolean }): Promise<T>;
}

/**
 * The requests, in plain objects.
 * @public (vendor handlers type their validate and modifyPlan hooks with these)
 */
export interface ValidateConfigRequest {
  /** The configuration; any attribute may be unknown in the validate walk. */
  readonly config: ObjectValue;
}
/** @public (see ValidateConfigRequest) */
export interface ModifyPlanRequest {
  /** null at create. */
  readonly prior: ObjectValue | null;
  /** The engine's plan: config values, defaults, computed attributes unknown or kept. Edit in place. */
  readonly planned: ObjectValue;
  readonly config: ObjectValue;
  /** Attributes whose change replaces the object; push to ask for a replacement (the value at that path must change). */
  readonly requiresReplace: string[];
}
export interface CheckPlanRequest {
  /** null at create. */
  readonly prior: ObjectValue | null;
  /** At plan: the planned values (configured ones may be unknown). At apply: wholly known but computed attributes. */
  readonly planned: ObjectValue;
  /** Which call this is: PlanResourceChange (`plan`) or the check before an ApplyResourceChange (`apply`). */
  readonly phase?: 'plan' | 'apply';
}
export interface UpgradeStateRequest {
  /** The schema version the state was written with (older than the current one). */
  readonly fromVersion: number;
  /** The stored state as Terraform keeps it (JSON text). */
  readonly rawJson: string;
  /** `rawJson` parsed without a type and without losing precision (big numbers as BigNumber). */
  readonly state: ObjectValue;
}
export interface CreateRequest {
  /** Pre-filled from the plan; computed attributes are unknown. */
  readonly planned: ObjectValue;
  /** The configuration: where write-only values are (they are null in `planned`). */
  readonly config?: ObjectValue | null;
}
export interface ReadRequest {
  /** The state Terraform holds (after import: the partial state from importState). */
  readonly state: ObjectValue;
}
export interface UpdateRequest {
  readonly prior: ObjectValue;
  /** Pre-filled from the plan; computed attributes that change on update are unknown. */
  readonly planned: ObjectValue;
  /** The configuration: where write-only values are (they are null in `planned`). */
  readonly config?: ObjectValue | null;
}
export interface DeleteRequest {
  readonly state: ObjectValue;
}
export interface ImportRequest {
  /** The ID the user gave to `terraform import` or an import block. */
  readonly id: string;
}

/** A managed resource type. `C` is the vendor client type. */
export interface ResourceHandler<C = unknown> {
  /** `apiaccess_<vendor>_<object>` */
  readonly typeName: string;
  readonly schema: ResourceSchema;
  /** Cross-attribute checks; attribute validators in the schema run before it. */
  validateConfig?(req: ValidateConfigRequest, diags: Diagnostics): void;
  /** Adjusts the engine's plan (e.g. mark more computed values unknown). No vendor calls. */
  modifyPlan?(req: ModifyPlanRequest, diags: Diagnostics): void;
  /**
   * Checks with the vendor what it would reject, before anything changes (e.g. values against a
   * catalogue the vendor serves); reports errors through `ctx.diagnostics` on the attribute. Runs
   * at plan with the configured client (skip unknown values) and again at apply before create or
   * update, when every configured value is known. Reads only; never changes anything.
   */
  checkPlan?(req: CheckPlanRequest, ctx: ResourceContext<C>): Promise<void>;
  /**
   * Turns a state stored with an older schema version into the current shape (attributes the
   * result lacks become null, extra ones are dropped). Without it, an older state is an error.
   */
  upgradeState?(req: UpgradeStateRequest): ObjectValue;
  /** Creates the object and returns the whole new state (no unknowns). */
  create(req: CreateRequest, ctx: ResourceContext<C>): Promise<ObjectValue>;
  /** Returns what the vendor holds now, or null when the object is gone. */
  read(req: ReadRequest, ctx: ResourceContext<C>): Promise<ObjectValue | null>;
  /** Updates in place and returns the new state. */
  update(req: UpdateRequest, ctx: ResourceContext<C>): Promise<ObjectValue>;
  /** Deletes; an object that is already gone is not an error. */
  delete(req: DeleteRequest, ctx: ResourceContext<C>): Promise<void>;
  /** Returns a partial state (at least `id`) that `read` can complete. */
  importState?(req: ImportRequest, ctx: ResourceContext<C>): Promise<ObjectValue>;
}
