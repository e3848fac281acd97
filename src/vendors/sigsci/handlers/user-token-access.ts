/**
 * `apiaccess_sigsci_user_token_access`: one user's accessTokenAllowed. Nothing is created at the
 * vendor (the user exists; the grant is a PATCH of an absolute value), so there is no idempotency
 * key to send. Withdrawing the provider's own user's permission while the corp restricts tokens
 * would disable the provider's token: the plan refuses it, and so does a destroy.
 */
import { APIACCESS_INVALID_ARGUMENT, APIACCESS_NOT_FOUND, ApiAccessError } from '../../../core/errors';
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { SigSciClient } from '../client';
import { userTokenAccessSpec } from '../spec/user-token-access';
import type { SigSciCorpUser } from '../types';
import { pendingOf } from './plan-checks';

/** The vendor's user as state; the configured spelling of the e-mail is kept (the vendor keys users case-insensitively). */
const toState = (u: SigSciCorpUser, configured?: string | null) => ({
  id: u.email,
  email: configured && configured.toLowerCase() === u.email.toLowerCase() ? configured : u.email,
  allowed: u.accessTokenAllowed,
});

const lockOut = () =>
  `this is the provider's own user (sigsci_email) and the corp restricts tokens to allowed users: withdrawing its permission disables the provider's token at once. Switch restrict_to_allowed_users off first, or manage this grant with another user's token.`;

/** Handler of apiaccess_sigsci_user_token_access. */
export const userTokenAccessHandler = resourceFromSpec<SigSciClient, typeof userTokenAccessSpec.attributes>(userTokenAccessSpec, {
  async checkPlan(req, ctx) {
    const { email, allowed } = req.planned;
    if (typeof email !== 'string' || typeof allowed !== 'boolean') return;
    const key = email.toLowerCase();
    pendingOf(ctx.client).grants.set(key, allowed);
    if (allowed || key !== ctx.client.email) return;
    if ((await ctx.client.getTokenSettings(ctx.signal)).restrictedAccessTokens)
      ctx.diagnostics.error('Grant Would Lock Out This Provider', `allowed = false for ${lockOut()}`, ['allowed']);
  },

  async create(config, ctx) {
    return toState(await ctx.client.setAccessTokenAllowed(config.email, config.allowed, ctx.signal), config.email);
  },

  async read(state, ctx) {
    try {
      return toState(await ctx.client.getUser(state.email, ctx.signal), state.email);
    } catch (err) {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_NOT_FOUND) return null;
      throw err;
    }
  },

  // No batched list: a listed user carries the vendor's lower-case e-mail, and the configured
  // spelling is kept only on a direct read (a list cannot know which spelling each state uses).
  async update(state, patch, ctx) {
    return toState(await ctx.client.setAccessTokenAllowed(state.email, patch.allowed ?? state.allowed, ctx.signal), state.email);
  },

  async delete(state, ctx) {
    if (state.email.toLowerCase() === ctx.client.email && state.allowed && (await ctx.client.getTokenSettings(ctx.signal)).restrictedAccessTokens) {
      throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `Destroying this grant sets allowed = false, but ${lockOut()}`, { field: 'allowed' });
    }
    await ctx.client.setAccessTokenAllowed(state.email, false, ctx.signal).catch((err: unknown) => {
      if (!(ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_NOT_FOUND)) throw err;
    });
  },
});
