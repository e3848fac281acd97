/**
 * `apiaccess_sigsci_api_token`: the vendor calls, the 5-per-user check before any create, and the
 * plan of a token the corp made inactive (expired by apiTokenMaxAge, disabled by the restriction):
 * a replacement with that reason, or only a warning with `replace_when_inactive = false`.
 */
import { APIACCESS_NOT_FOUND, ApiAccessError } from '../../../core/errors';
import type { Diagnostics } from '../../../core/diagnostics';
import { isUnknown, UNKNOWN } from '../../../provider/framework/cty';
import type { ModifyPlanRequest, ResourceHandler } from '../../../provider/framework/resource';
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { SigSciClient } from '../client';
import { apiTokenSpec } from '../spec/api-token';
import { TOKENS_PER_USER } from '../spec/validators';
import type { SigSciApiToken } from '../types';
import { pendingOf } from './plan-checks';

const toState = (t: SigSciApiToken) => ({
  id: t.id,
  name: t.name,
  created_by: t.createdBy,
  created: t.created,
  expires: t.expires,
  status: t.status,
  last_used: t.lastUsed,
  last_used_ip: t.lastUsedIP,
});

const notFound = (err: unknown): boolean => ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_NOT_FOUND;

const REASONS: Record<string, string> = {
  expired: 'the corp expiration (apiTokenMaxAge) is shorter than its age, so Signal Sciences expired it',
  disabled: 'the corp restricts tokens to allowed users and its user is not allowed, so Signal Sciences disabled it',
};

/** A token Signal Sciences made inactive: replaced (default) or only reported. */
function inactive(req: ModifyPlanRequest, diags: Diagnostics): void {
  const { prior, config, planned, requiresReplace } = req;
  const status = prior?.status;
  if (!prior || typeof status !== 'string' || !(status in REASONS)) return;
  const what = `apiaccess_sigsci_api_token "${String(prior.name)}" (${String(prior.id)}) is ${status}: ${REASONS[status]}`;
  if (config.replace_when_inactive === false) {
    diags.warning('Token Inactive', `${what}. replace_when_inactive is false, so the plan keeps it; requests with it fail until that changes.`, ['status']);
    return;
  }
  if (requiresReplace.length === 0) {
    requiresReplace.push('status');
    planned.status = UNKNOWN;
  }
  diags.warning('Token Inactive', `${what}. The plan replaces it with a new token; set replace_when_inactive = false to only report this.`, ['status']);
}

const spec = resourceFromSpec<SigSciClient, typeof apiTokenSpec.attributes>(apiTokenSpec, {
  /**
   * The 5-per-user limit, before anything is created: the user's tokens now, minus those this
   * plan replaces, plus every new name this provider process was asked to plan.
   */
  async checkPlan(req, ctx) {
    const p = pendingOf(ctx.client);
    if (req.prior) {
      // A replacement (the new object's id is unknown): its slot is freed before the new one is made.
      if (isUnknown(req.planned.id) && typeof req.prior.id === 'string') p.leaving.add(req.prior.id);
      return;
    }
    const name = req.planned.name;
    p.creating.add(typeof name === 'string' ? name : `#${++p.unnamed}`);
    const held = (await ctx.client.listTokens(ctx.signal)).filter((t) => !p.leaving.has(t.id));
    const names = new Set(held.map((t) => t.name));
    const adding = [...p.creating].filter((n) => !names.has(n));
    if (held.length + adding.length <= TOKENS_PER_USER) return;
    const list = held.map((t) => `"${t.name}" (${t.status}, created ${t.created})`).join(', ');
    ctx.diagnostics.error(
      'Token Limit Reached',
      `Signal Sciences allows ${TOKENS_PER_USER} API access tokens per user; this user holds ${held.length} (${list || 'none'}) and the plan adds ${adding.length} more (${adding
        .filter((n) => !n.startsWith('#'))
        .map((n) => `"${n}"`)
        .join(', ')}). Nothing was created. Free a slot by deleting a token (expired and disabled ones count too), or remove tokens from the configuration.`,
      ['name'],
    );
  },

  async create(config, ctx) {
    const t = await ctx.createOnce(
      `"${config.name}"`,
      (key) => ctx.client.createToken(config.name, ctx.signal, key),
      (x) => x.id,
    );
    return { ...toState(t), token: t.token };
  },

  async read(state, ctx) {
    try {
      return toState(await ctx.client.getToken(state.id!, ctx.signal));
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  },

  // One list of the user's tokens per provider process serves every read (batched refresh).
  async list(_state, ctx) {
    return (await ctx.client.listTokens(ctx.signal)).map(toState);
  },

  async delete(state, ctx) {
    await ctx.client.deleteToken(state.id!, ctx.signal).catch((err: unknown) => {
      if (!notFound(err)) throw err;
    });
  },
});

/** Handler of apiaccess_sigsci_api_token. */
export const apiTokenHandler: ResourceHandler<SigSciClient> = {
  ...spec,
  modifyPlan(req, diags) {
    spec.modifyPlan?.(req, diags);
    inactive(req, diags);
  },
};
