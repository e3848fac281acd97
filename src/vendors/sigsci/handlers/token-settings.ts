/**
 * `apiaccess_sigsci_token_settings`: the corp singleton. Creating it takes the settings over (a
 * PATCH of absolute values: nothing is created at the vendor, so there is no idempotency key to
 * send), destroying it restores the defaults. The plan checks the guard rails a careful owner
 * wants before anything changes: a restriction that would lock the provider's own user out is an
 * error, a shorter expiration that expires tokens at once and an allow-list without this machine
 * are warnings that say which tokens and addresses.
 */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../../core/errors';
import type { CtyValue } from '../../../provider/framework/cty';
import type { CheckPlanRequest, ResourceContext } from '../../../provider/framework/resource';
import { resourceFromSpec } from '../../../provider/framework/spec-resource';
import type { SigSciClient } from '../client';
import { tokenSettingsSpec } from '../spec/token-settings';
import { formatExpiration, isAllowListEntry, parseExpiration } from '../spec/validators';
import type { SigSciApiToken, SigSciTokenSettings, SigSciTokenSettingsUpdate } from '../types';
import { pendingOf } from './plan-checks';

type Ctx = ResourceContext<SigSciClient>;

const DEFAULTS: SigSciTokenSettings = { apiTokenMaxAge: 0, restrictedAccessTokens: false, apiAllowedIPs: [] };

/** The vendor's settings as state; the configured spelling of an equal expiration is kept ("2160h" and "90h" differ, "720h" and "720h0m" do not). */
function toState(corp: string, s: SigSciTokenSettings, priorExpiration: string | null) {
  const keep = priorExpiration !== null && parseExpiration(priorExpiration) === s.apiTokenMaxAge;
  return {
    id: corp,
    expiration: keep ? priorExpiration : formatExpiration(s.apiTokenMaxAge),
    allowed_ips: [...s.apiAllowedIPs].sort(),
    restrict_to_allowed_users: s.restrictedAccessTokens,
  };
}

const known = <T>(v: CtyValue | undefined, test: (x: unknown) => x is T): T | undefined => (test(v) ? v : undefined);
const isString = (x: unknown): x is string => typeof x === 'string';
const isBool = (x: unknown): x is boolean => typeof x === 'boolean';
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every(isString);

/** The token this provider authenticates with: its user's token the listing itself just used. */
function ownToken(client: SigSciClient, tokens: readonly SigSciApiToken[]): SigSciApiToken | undefined {
  const mine = tokens.filter((t) => t.createdBy.toLowerCase() === client.email && t.lastUsed !== '');
  return mine.sort((a, b) => Date.parse(b.lastUsed) - Date.parse(a.lastUsed))[0];
}

/** Who holds `t`, in words that survive redaction (the provider's own e-mail is a credential). */
function owner(client: SigSciClient, t: SigSciApiToken): string {
  return t.createdBy.toLowerCase() === client.email ? "the provider's user" : t.createdBy;
}

/** Switching the restriction on while the provider's own user is not allowed disables its own token. */
async function checkRestriction(planned: CtyValue | undefined, ctx: Ctx): Promise<void> {
  if (known(planned, isBool) !== true) return;
  const me = ctx.client.email;
  const inConfig = pendingOf(ctx.client).grants.get(me);
  if (inConfig === true) return;
  const atVendor = inConfig === undefined ? (await ctx.client.getUser(me, ctx.signal)).accessTokenAllowed : false;
  if (atVendor) return;
  ctx.diagnostics.error(
    'Restriction Would Lock Out This Provider',
    `restrict_to_allowed_users = true disables the tokens of every user who is not allowed to use API access tokens, and the provider's own user (sigsci_email) is not allowed ${
      inConfig === false ? 'in this configuration' : 'at Signal Sciences'
    }: its token would stop working at once. Allow it first with apiaccess_sigsci_user_token_access (email = that user, allowed = true) and make this resource depend on it (depends_on), or leave restrict_to_allowed_users false.`,
    ['restrict_to_allowed_users'],
  );
}

/** Tokens a shorter expiration expires at once; the provider's own token flagged. */
function checkExpiration(plannedText: string | undefined, priorText: string | null, tokens: readonly SigSciApiToken[], ctx: Ctx): void {
  const seconds = plannedText === undefined ? undefined : parseExpiration(plannedText);
  if (seconds === undefined || seconds === 0) return;
  const before = priorText === null ? undefined : parseExpiration(priorText);
  if (before !== undefined && before !== 0 && before <= seconds) return;
  const own = ownToken(ctx.client, tokens);
  // The vendor's "now": the moment it answered the listing (the provider's own token was just used).
  const now = own ? Date.parse(own.lastUsed) : Date.now();
  const dying = tokens.filter((t) => t.status === 'active' && Date.parse(t.created) + seconds * 1000 <= now);
  if (dying.length === 0) return;
  const list = dying
    .map((t) => `"${t.name}" of ${owner(ctx.client, t)} (created ${t.created})${t.id === own?.id ? ' — the token this provider uses' : ''}`)
    .join(', ');
  ctx.diagnostics.warning(
    'Tokens Expire At Once',
    `expiration = "${plannedText}" is measured from each token's creation, so ${dying.length} active token(s) expire as soon as it is applied: ${list}. Lengthening it later revives them.${
      dying.some((t) => t.id === own?.id) ? " This provider's own token is among them: the apply's later calls will be refused; replace it first." : ''
    }`,
    ['expiration'],
  );
}

/** An allow-list that leaves out the address this provider calls from. */
function checkAllowList(planned: string[] | undefined, tokens: readonly SigSciApiToken[], ctx: Ctx): void {
  const ip = ownToken(ctx.client, tokens)?.lastUsedIP;
  if (!planned || planned.length === 0 || !ip || !planned.every(isAllowListEntry)) return;
  if (planned.some((entry) => ipInEntry(ip, entry))) return;
  ctx.diagnostics.warning(
    'Allow-List Excludes This Provider',
    `allowed_ips does not contain ${ip}, the address Signal Sciences sees this provider call from: once applied, every later call with the provider's token is refused (HTTP 400) until the list includes it.`,
    ['allowed_ips'],
  );
}

function ipInEntry(ip: string, entry: string): boolean {
  const num = (t: string) => t.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const [base, len] = entry.split('/');
  const size = 2 ** (32 - Number(len ?? 32));
  return Math.floor(num(ip) / size) === Math.floor(num(base!) / size);
}

function update(patch: { expiration?: string; allowed_ips?: string[]; restrict_to_allowed_users?: boolean }): SigSciTokenSettingsUpdate {
  return {
    ...(patch.expiration !== undefined ? { apiTokenMaxAge: parseExpiration(patch.expiration)! } : {}),
    ...(patch.allowed_ips !== undefined ? { apiAllowedIPs: [...patch.allowed_ips].sort() } : {}),
    ...(patch.restrict_to_allowed_users !== undefined ? { restrictedAccessTokens: patch.restrict_to_allowed_users } : {}),
  };
}

/** Handler of apiaccess_sigsci_token_settings. */
export const tokenSettingsHandler = resourceFromSpec<SigSciClient, typeof tokenSettingsSpec.attributes>(tokenSettingsSpec, {
  async checkPlan(req: CheckPlanRequest, ctx) {
    const { prior, planned } = req;
    if (prior?.restrict_to_allowed_users !== true) await checkRestriction(planned.restrict_to_allowed_users, ctx);
    const expiration = known(planned.expiration, isString);
    const ips = known(planned.allowed_ips, isStrings);
    const expirationChanged = expiration !== undefined && expiration !== prior?.expiration;
    const ipsChanged = ips !== undefined && JSON.stringify([...ips].sort()) !== JSON.stringify(prior?.allowed_ips ?? null);
    if (!expirationChanged && !ipsChanged) return;
    const tokens = await ctx.client.listCorpTokens(ctx.signal);
    if (expirationChanged) checkExpiration(expiration, typeof prior?.expiration === 'string' ? prior.expiration : null, tokens, ctx);
    if (ipsChanged) checkAllowList(ips, tokens, ctx);
  },

  async create(config, ctx) {
    return toState(ctx.client.corpName, await ctx.client.updateTokenSettings(update(config), ctx.signal), config.expiration);
  },

  async read(state, ctx) {
    if (state.id !== ctx.client.corpName) {
      throw new ApiAccessError(
        APIACCESS_INVALID_ARGUMENT,
        `apiaccess_sigsci_token_settings "${state.id}" is not the corp this provider manages (sigsci_corp = "${ctx.client.corpName}").`,
        { field: 'id' },
      );
    }
    return toState(ctx.client.corpName, await ctx.client.getTokenSettings(ctx.signal), state.expiration);
  },

  async update(state, patch, ctx) {
    const next = await ctx.client.updateTokenSettings(update(patch), ctx.signal);
    return toState(ctx.client.corpName, next, patch.expiration ?? state.expiration);
  },

  async delete(_state, ctx) {
    await ctx.client.updateTokenSettings(DEFAULTS, ctx.signal);
  },
});
