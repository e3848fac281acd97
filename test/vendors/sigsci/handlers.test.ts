/**
 * Issue 8: the Signal Sciences handlers in process against the sandbox: token create/read/list/
 * delete and the 5-per-user check, the token settings with their guard rails, the per-user grant
 * and the data sources.
 */
import { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_INVALID_ARGUMENT } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { UNKNOWN } from '../../../src/provider/framework/cty';
import type { ObjectValue, ResourceContext } from '../../../src/provider/framework/resource';
import type { Sandbox } from '../../../src/sandbox/server';
import type { SigSciClient } from '../../../src/vendors/sigsci/client';
import { SEED_CORP, SEED_OWNER_EMAIL, SEED_OWNER_TOKEN, SEED_OWNER_TOKEN_ID, SEED_USER_EMAIL, type SigSciState } from '../../../src/vendors/sigsci/emulator';
import { apiTokenHandler } from '../../../src/vendors/sigsci/handlers/api-token';
import { apiTokensDataSource, corpUsersDataSource } from '../../../src/vendors/sigsci/handlers/data-sources';
import { tokenSettingsHandler } from '../../../src/vendors/sigsci/handlers/token-settings';
import { userTokenAccessHandler } from '../../../src/vendors/sigsci/handlers/user-token-access';
import { sigsciProvider } from '../../../src/vendors/sigsci/provider';
import { DAY_MS, startSandbox } from './_sandbox';

let sandbox: Sandbox;
let client: SigSciClient;
let keys: string[];

beforeEach(async () => {
  ({ sandbox } = await startSandbox());
  client = sigsciProvider.createClient(
    { base_url: `${sandbox.baseUrl}/sigsci`, email: SEED_OWNER_EMAIL, token: SEED_OWNER_TOKEN, corp: SEED_CORP },
    silentLogger,
  );
  keys = [];
});
afterEach(async () => {
  await sandbox.close();
});

function context(): ResourceContext<SigSciClient> {
  return {
    client,
    diagnostics: new Diagnostics(),
    logger: silentLogger,
    signal: AbortSignal.timeout(10_000),
    createOnce: async (_what, send, idOf) => {
      const key = `key-${keys.length + 1}`;
      keys.push(key);
      const made = await send(key);
      idOf(made);
      return made;
    },
  };
}

const vendor = (): SigSciState => sandbox.emulator('sigsci').snapshot() as SigSciState;
const edit = (change: (s: SigSciState) => void): void => {
  const s = vendor();
  change(s);
  sandbox.emulator('sigsci').restore(s);
};
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const summaries = (ctx: ResourceContext<SigSciClient>) => ctx.diagnostics.items.map((d) => `${d.severity}: ${d.summary}`);

describe('issue 8: apiaccess_sigsci_api_token handler', () => {
  it('creates through createOnce with the idempotency key, reads from the list, deletes', async () => {
    const ctx = context();
    const state = await apiTokenHandler.create({ planned: { name: 'ci', rotation_period: '720h', replace_when_inactive: null } }, ctx);
    expect(keys).toEqual(['key-1']);
    expect(state).toMatchObject({ name: 'ci', status: 'active', created_by: SEED_OWNER_EMAIL, rotation_period: '720h', expires: '' });
    expect(typeof state.token).toBe('string');
    const read = await apiTokenHandler.read({ state }, context());
    expect(read).toMatchObject({ id: state.id, name: 'ci', token: state.token });
    expect(sandbox.calls('sigsci').some((c) => c.method === 'GET' && c.path === '/api/v0/user/apitokens')).toBe(true);
    await apiTokenHandler.delete({ state }, context());
    await apiTokenHandler.delete({ state }, context());
    expect(await apiTokenHandler.read({ state }, context())).toBeNull();
    expect(vendor().tokens.map((t) => t.id)).toEqual([SEED_OWNER_TOKEN_ID]);
  });

  it('issue 8: the 6th token of a plan is refused before any create; a replacement frees its slot', async () => {
    const ctx = context();
    for (const name of ['a', 'b', 'c', 'd']) await apiTokenHandler.checkPlan!({ prior: null, planned: { name, id: UNKNOWN } }, ctx);
    expect(ctx.diagnostics.hasErrors).toBe(false);
    await apiTokenHandler.checkPlan!({ prior: null, planned: { name: 'e', id: UNKNOWN } }, ctx);
    expect(summaries(ctx)).toEqual(['error: Token Limit Reached']);
    expect(ctx.diagnostics.items[0]!.detail).toContain('"sandbox seed" (active, created');
    expect(ctx.diagnostics.items[0]!.path).toEqual(['name']);
    expect(sandbox.calls('sigsci').filter((c) => c.method !== 'GET')).toEqual([]);

    // another plan (a new provider process): the seed token planned for replacement frees its slot
    client = sigsciProvider.createClient(
      { base_url: `${sandbox.baseUrl}/sigsci`, email: SEED_OWNER_EMAIL, token: SEED_OWNER_TOKEN, corp: SEED_CORP },
      silentLogger,
    );
    const again = context();
    for (const name of ['a', 'b', 'c', 'd']) await apiTokenHandler.checkPlan!({ prior: null, planned: { name, id: UNKNOWN } }, again);
    await apiTokenHandler.checkPlan!({ prior: { id: SEED_OWNER_TOKEN_ID, name: 'sandbox seed' }, planned: { name: 'sandbox seed', id: UNKNOWN } }, again);
    await apiTokenHandler.checkPlan!({ prior: null, planned: { name: 'sandbox seed', id: UNKNOWN } }, again);
    expect(again.diagnostics.hasErrors).toBe(false);
  });
});

describe('issue 8: apiaccess_sigsci_token_settings handler', () => {
  const settings = (over: ObjectValue = {}): ObjectValue => ({ expiration: '720h', allowed_ips: [], restrict_to_allowed_users: false, ...over });

  it('takes the settings over, keeps the configured spelling, updates in place and restores the defaults on destroy', async () => {
    const state = await tokenSettingsHandler.create({ planned: settings({ allowed_ips: ['10.0.0.0/8', '127.0.0.1'] }) }, context());
    expect(state).toEqual({ id: SEED_CORP, expiration: '720h', allowed_ips: ['10.0.0.0/8', '127.0.0.1'], restrict_to_allowed_users: false });
    expect(vendor().corp).toMatchObject({ apiTokenMaxAge: 30 * 86_400, apiAllowedIPs: ['10.0.0.0/8', '127.0.0.1'] });
    edit((s) => {
      s.corp.apiTokenMaxAge = 5445;
    });
    expect(await tokenSettingsHandler.read({ state }, context())).toMatchObject({ expiration: '1h30m45s' });
    const next = await tokenSettingsHandler.update({ prior: state, planned: { ...state, expiration: '2160h' } }, context());
    expect(next.expiration).toBe('2160h');
    await tokenSettingsHandler.delete({ state: next }, context());
    expect(vendor().corp).toMatchObject({ apiTokenMaxAge: 0, apiAllowedIPs: [], restrictedAccessTokens: false });
  });

  it('a settings read for another corp is refused naming id', async () => {
    const err = await tokenSettingsHandler.read({ state: settings({ id: 'other-corp' }) }, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT, field: 'id' });
  });

  it('issue 8: restriction on while the provider user is not allowed is an error; a grant planned in the same configuration clears it', async () => {
    const ctx = context();
    await tokenSettingsHandler.checkPlan!({ prior: null, planned: settings({ restrict_to_allowed_users: true }) }, ctx);
    expect(summaries(ctx)).toEqual(['error: Restriction Would Lock Out This Provider']);
    expect(ctx.diagnostics.items[0]!.path).toEqual(['restrict_to_allowed_users']);
    const withGrant = context();
    await userTokenAccessHandler.checkPlan!({ prior: null, planned: { email: SEED_OWNER_EMAIL, allowed: true } }, withGrant);
    await tokenSettingsHandler.checkPlan!({ prior: null, planned: settings({ restrict_to_allowed_users: true }) }, withGrant);
    expect(withGrant.diagnostics.items).toEqual([]);
    expect(sandbox.calls('sigsci').filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('issue 8: a shorter expiration warns about the tokens it expires at once, the provider own token flagged', async () => {
    const now = Date.parse(vendor().tokens[0]!.created);
    edit((s) => {
      s.tokens[0]!.created = iso(now - 60 * DAY_MS);
    });
    const ctx = context();
    await tokenSettingsHandler.checkPlan!({ prior: settings({ expiration: '0s' }), planned: settings({ expiration: '720h' }) }, ctx);
    expect(summaries(ctx)).toEqual(['warning: Tokens Expire At Once']);
    expect(ctx.diagnostics.items[0]!.detail).toContain('"sandbox seed" of the provider\'s user');
    expect(ctx.diagnostics.items[0]!.detail).toContain('the token this provider uses');
    const longer = context();
    await tokenSettingsHandler.checkPlan!({ prior: settings({ expiration: '720h' }), planned: settings({ expiration: '2160h' }) }, longer);
    expect(longer.diagnostics.items).toEqual([]);
  });

  it('issue 8: an allow-list without the address the provider calls from is a warning on allowed_ips', async () => {
    await client.getCorp();
    const ctx = context();
    await tokenSettingsHandler.checkPlan!({ prior: settings(), planned: settings({ allowed_ips: ['203.0.113.0/24'] }) }, ctx);
    expect(ctx.diagnostics.items).toEqual([
      expect.objectContaining({ severity: 'warning', summary: 'Allow-List Excludes This Provider', path: ['allowed_ips'] }),
    ]);
    const fine = context();
    await tokenSettingsHandler.checkPlan!({ prior: settings(), planned: settings({ allowed_ips: ['127.0.0.0/8'] }) }, fine);
    expect(fine.diagnostics.items).toEqual([]);
  });
});

describe('issue 8: apiaccess_sigsci_user_token_access handler', () => {
  it('grants, reads, withdraws and on destroy sets the user back to not allowed', async () => {
    const state = await userTokenAccessHandler.create({ planned: { email: SEED_USER_EMAIL, allowed: true } }, context());
    expect(state).toEqual({ id: SEED_USER_EMAIL, email: SEED_USER_EMAIL, allowed: true });
    expect(await userTokenAccessHandler.read({ state }, context())).toEqual(state);
    // the configured spelling of the e-mail is kept, so it never shows as a change
    const mixed = { ...state, email: 'User@Example.com' };
    expect(await userTokenAccessHandler.read({ state: mixed }, context())).toEqual(mixed);
    const off = await userTokenAccessHandler.update({ prior: state, planned: { ...state, allowed: false } }, context());
    expect(off.allowed).toBe(false);
    await userTokenAccessHandler.update({ prior: off, planned: state }, context());
    await userTokenAccessHandler.delete({ state }, context());
    expect(vendor().users.find((u) => u.email === SEED_USER_EMAIL)!.accessTokenAllowed).toBe(false);
    expect(await userTokenAccessHandler.read({ state: { ...state, id: 'gone@example.com', email: 'gone@example.com' } }, context())).toBeNull();
  });

  it('refuses to withdraw the provider user permission while the corp restricts tokens, at plan and at destroy', async () => {
    edit((s) => {
      s.users.find((u) => u.email === SEED_OWNER_EMAIL)!.accessTokenAllowed = true;
      s.corp.restrictedAccessTokens = true;
    });
    const ctx = context();
    await userTokenAccessHandler.checkPlan!({ prior: null, planned: { email: SEED_OWNER_EMAIL, allowed: false } }, ctx);
    expect(summaries(ctx)).toEqual(['error: Grant Would Lock Out This Provider']);
    const err = await userTokenAccessHandler.delete({ state: { id: SEED_OWNER_EMAIL, email: SEED_OWNER_EMAIL, allowed: true } }, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT, field: 'allowed' });
    expect(vendor().users.find((u) => u.email === SEED_OWNER_EMAIL)!.accessTokenAllowed).toBe(true);
  });
});

describe('issue 8: Signal Sciences data sources', () => {
  it('api_tokens lists the corp table with filters; corp_users lists users with a role filter', async () => {
    const all = await apiTokensDataSource.read({ config: { status: null, created_by: null } }, context());
    expect((all.tokens as { name: string; status: string }[]).map((t) => [t.name, t.status])).toEqual([['sandbox seed', 'active']]);
    const expired = await apiTokensDataSource.read({ config: { status: 'expired', created_by: null } }, context());
    expect(expired.tokens).toEqual([]);
    const mine = await apiTokensDataSource.read({ config: { status: null, created_by: 'OWNER@example.com' } }, context());
    expect(mine.tokens).toHaveLength(1);
    const users = await corpUsersDataSource.read({ config: { role: null } }, context());
    expect((users.users as { email: string }[]).map((u) => u.email)).toEqual([SEED_OWNER_EMAIL, SEED_USER_EMAIL]);
    const owners = await corpUsersDataSource.read({ config: { role: 'owner' } }, context());
    expect(owners.users).toEqual([{ email: SEED_OWNER_EMAIL, name: 'Sandbox Owner', role: 'owner', access_token_allowed: false }]);
  });
});
