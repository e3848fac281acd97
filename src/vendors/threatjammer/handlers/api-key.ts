/**
 * `apiaccess_threatjammer_api_key`: the configured user's one key. Threat Jammer issues it at
 * sign-up and never makes a second one, so "create" adopts it (no vendor create: `ctx.createOnce`
 * does not apply, nothing can be duplicated) and sets `enabled`; delete disables it
 * (`disable_on_destroy`). Rotation is an in-place regeneration: the plan marks `value` unknown
 * with "Rotation Due", apply calls the regenerate route, and the client sends the new key from
 * then on. A second instance for the same user is a plan error.
 */
import { systemClock, type IClock } from '../../../core/clock';
import type { Diagnostics } from '../../../core/diagnostics';
import { parseDuration } from '../../../spec';
import { isUnknown, UNKNOWN } from '../../../provider/framework/cty';
import type { ModifyPlanRequest, ResourceContext, ResourceHandler } from '../../../provider/framework/resource';
import { resourceFromSpec, type ReadModel } from '../../../provider/framework/spec-resource';
import type { ThreatJammerClient } from '../client';
import { apiKeySpec } from '../spec/api-key';
import type { ThreatJammerToken } from '../types';
import { keyRefused } from './key-errors';

type State = ReadModel<typeof apiKeySpec.attributes>;
const TYPE = apiKeySpec.typeName;

function toState(token: ThreatJammerToken, key: string, disableOnDestroy: boolean | null): State {
  return {
    id: token.regionId,
    enabled: token.status === 'ENABLED',
    disable_on_destroy: disableOnDestroy ?? true,
    value: key,
    status: token.status,
    region_id: token.regionId,
    created_at: new Date(token.createdAtMs).toISOString(),
    updated_at: new Date(token.updatedAtMs).toISOString(),
  };
}

async function current(ctx: ResourceContext<ThreatJammerClient>, disableOnDestroy: boolean | null): Promise<State> {
  const token = await ctx.client.readToken(ctx.signal).catch((err: unknown) => {
    throw keyRefused(err);
  });
  return toState(token, ctx.client.currentKey(), disableOnDestroy);
}

async function setEnabled(ctx: ResourceContext<ThreatJammerClient>, enabled: boolean): Promise<void> {
  await (enabled ? ctx.client.enableKey(ctx.signal) : ctx.client.disableKey(ctx.signal));
}

/** Instances planned per client (one provider process, one configured user). */
const planned = new WeakMap<ThreatJammerClient, number>();

const vendorCalls = resourceFromSpec<ThreatJammerClient, typeof apiKeySpec.attributes>(apiKeySpec, {
  // Adoption of the user's one key, not a vendor create (see the file comment).
  async create(config, ctx) {
    const now = await current(ctx, config.disable_on_destroy);
    if (now.enabled === config.enabled) return now;
    await setEnabled(ctx, config.enabled);
    return current(ctx, config.disable_on_destroy);
  },

  async read(state, ctx) {
    const now = await current(ctx, state.disable_on_destroy);
    // After import the ID is what the user typed: it must name the region of the provider's key.
    if (state.id !== null && state.id !== now.id) {
      throw new Error(`the provider's key belongs to region "${now.id}", not "${state.id}"; import it as "${now.id}"`);
    }
    return now;
  },

  async update(state, patch, ctx) {
    const disableOnDestroy = patch.disable_on_destroy ?? state.disable_on_destroy;
    if (patch.enabled !== undefined) await setEnabled(ctx, patch.enabled);
    return current(ctx, disableOnDestroy);
  },

  async delete(state, ctx) {
    if (state.disable_on_destroy === false) return;
    await ctx.client.disableKey(ctx.signal).catch((err: unknown) => {
      throw keyRefused(err);
    });
  },

  async checkPlan(req, ctx) {
    if (req.phase !== 'plan') return;
    const seen = (planned.get(ctx.client) ?? 0) + 1;
    planned.set(ctx.client, seen);
    if (seen > 1) {
      ctx.diagnostics.error(
        'Second Threat Jammer API Key',
        `The configuration has more than one ${TYPE} for the Threat Jammer user of the provider's key. Threat Jammer gives each user exactly one key, so keep one ${TYPE}; for another user, use a provider alias with that user's threatjammer_api_key.`,
      );
    }
  },
});

/**
 * Switching `enabled` changes `status` and `updated_at`; nothing else does (so a change of
 * rotation_period or disable_on_destroy alone plans no vendor-side values as unknown).
 */
function planStatus(req: ModifyPlanRequest): void {
  if (req.prior === null || isUnknown(req.planned.enabled) || req.planned.enabled === req.prior.enabled) return;
  req.planned.status = UNKNOWN;
  req.planned.updated_at = UNKNOWN;
}

/** Rotation due: `value`, `created_at` and `updated_at` change in place, with the reason. */
function planRotation(req: ModifyPlanRequest, diags: Diagnostics, clock: IClock): void {
  const period = req.config.rotation_period;
  const createdAt = req.prior?.created_at;
  if (typeof period !== 'string' || typeof createdAt !== 'string') return;
  const seconds = parseDuration(period);
  const created = Date.parse(createdAt);
  if (seconds === undefined || Number.isNaN(created) || clock.now() - created < seconds * 1000) return;
  for (const name of ['value', 'created_at', 'updated_at', 'status']) req.planned[name] = UNKNOWN;
  diags.warning(
    'Rotation Due',
    `${TYPE} "${String(req.prior?.id)}" was issued at ${createdAt}, more than rotation_period (${period}) ago: rotation due, so apply regenerates it in place. ` +
      'Threat Jammer keeps one key per user, so the old key stops working at once: the provider uses the new one for the rest of the run, and the next run needs it in threatjammer_api_key.',
    ['rotation_period'],
  );
}

/** The handler with its clock (rotation ages) chosen; {@link apiKeyHandler} uses the system clock. */
export function createApiKeyHandler(options: { readonly clock?: IClock } = {}): ResourceHandler<ThreatJammerClient> {
  const clock = options.clock ?? systemClock;
  return {
    ...vendorCalls,
    modifyPlan: (req, diags) => {
      planStatus(req);
      planRotation(req, diags, clock);
    },
    async update(req, ctx) {
      if (!isUnknown(req.planned.value)) return vendorCalls.update(req, ctx);
      const regenerated = await ctx.client.regenerateKey(ctx.signal).catch((err: unknown) => {
        throw keyRefused(err);
      });
      ctx.diagnostics.warning(
        'API Key Regenerated',
        `The Threat Jammer key was regenerated (rotation_period). The old key no longer works; the new one is the value of ${TYPE} in state and is used for the rest of this run. Give it to the next run as threatjammer_api_key (e.g. write it to your secret store).`,
      );
      const disableOnDestroy = req.prior.disable_on_destroy === false ? false : true;
      const after = { ...req.prior, ...toState(regenerated.token, regenerated.apiKey, disableOnDestroy) };
      return vendorCalls.update({ prior: after, planned: req.planned }, ctx);
    },
  };
}

/** Handler of apiaccess_threatjammer_api_key. */
export const apiKeyHandler = createApiKeyHandler();
