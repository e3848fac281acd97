import { request } from 'node:http';
import type { Sandbox } from '../../../src/sandbox/server';
import { MAX_TOKENS_PER_USER, SEED_CORP, SEED_OWNER_TOKEN, SEED_OWNER_TOKEN_ID, type SigSciState } from '../../../src/vendors/sigsci/emulator';
import { call, DAY_MS, giveUserToken, OWNER, setCallerIp, startSandbox, USER, USER_TOKEN_VALUE, type Answer } from './_sandbox';
import type { ManualClock } from '../../../src/core/clock';

const CORP = `/api/v0/corps/${SEED_CORP}`;
const JSON_TYPE = 'application/json; charset=utf-8';

let sandbox: Sandbox;
let clock: ManualClock;

beforeEach(async () => {
  ({ sandbox, clock } = await startSandbox());
});
afterEach(async () => {
  await sandbox.close();
});

function expectMessage(a: Answer, status: number, message?: string): void {
  expect(a.status).toBe(status);
  expect(a.headers.get('content-type')).toBe(JSON_TYPE);
  expect(a.body).toEqual({ message: message ?? expect.any(String) });
}

async function patchCorp(body: unknown, as = OWNER): Promise<Answer> {
  return call(sandbox, 'PATCH', CORP, { as, body });
}

async function createToken(name: string, as = OWNER): Promise<Answer> {
  return call(sandbox, 'POST', '/api/v0/user/apitokens', { as, body: { name } });
}

async function corpTokens(): Promise<Record<string, unknown>[]> {
  const a = await call(sandbox, 'GET', `${CORP}/apitokens`, { as: OWNER });
  expect(a.status).toBe(200);
  return (a.body as { data: Record<string, unknown>[] }).data;
}

describe('authentication headers', () => {
  it('accepts the seeded owner token and answers with the real Corp shape and headers', async () => {
    const a = await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER });
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toBe(JSON_TYPE);
    expect(a.headers.get('cache-control')).toBe('private, max-age=0, no-cache, no-store');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f]{24}$/);
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('x-frame-options')).toBe('deny');
    expect(a.body).toEqual({
      data: [
        expect.objectContaining({
          name: SEED_CORP,
          sites: { uri: `/api/v0/corps/${SEED_CORP}/sites` },
          authType: 'builtin',
          apiAllowedIPs: [],
          apiTokenMaxAge: 0,
          restrictedAccessTokens: false,
          sessionMaxAgeDashboard: 2592000,
        }),
      ],
    });
  });

  it('reads header names case-insensitively (X-API-User / X-Api-Token as sent on the wire)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${sandbox.baseUrl}/sigsci/api/v0/corps`);
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'X-API-User': OWNER.user, 'X-Api-Token': OWNER.token } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });

  it('matches the e-mail in x-api-user case-insensitively', async () => {
    const a = await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user.toUpperCase(), token: OWNER.token } });
    expect(a.status).toBe(200);
  });

  it.each([
    ['no headers at all', {}],
    ['only x-api-user', { 'x-api-user': OWNER.user }],
    ['only x-api-token', { 'x-api-token': OWNER.token }],
    ['an unknown token', { 'x-api-user': OWNER.user, 'x-api-token': '00000000-0000-4000-8000-000000000000' }],
    ['an unknown user', { 'x-api-user': 'nobody@example.com', 'x-api-token': OWNER.token }],
    ['a Bearer header instead', { authorization: `Bearer ${OWNER.token}` }],
  ])('answers 401 {"message":"Unauthorized"} for %s', async (_label, headers) => {
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { headers }), 401, 'Unauthorized');
  });

  it('rejects a real token presented under another user (the token must belong to x-api-user)', async () => {
    giveUserToken(sandbox, clock.now());
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user, token: USER_TOKEN_VALUE } }), 401, 'Unauthorized');
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: { user: USER.user, token: OWNER.token } }), 401, 'Unauthorized');
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: USER })).status).toBe(200);
  });

  it('records last use (time, IP, user agent) on a successful call only', async () => {
    clock.advance(1000);
    await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER, headers: { 'user-agent': 'sigsci-test/1' } });
    const mine = await call(sandbox, 'GET', `/api/v0/user/apitokens/${SEED_OWNER_TOKEN_ID}`, { as: OWNER, headers: { 'user-agent': 'sigsci-test/2' } });
    expect(mine.body).toMatchObject({ lastUsed: '2026-01-01T00:00:01Z', lastUsedIP: '127.0.0.1', lastUsedUserAgent: 'sigsci-test/2' });
  });
});

describe('personal API access tokens', () => {
  it('creates a token whose value appears only in the create response and works at once', async () => {
    const created = await createToken('ci deploy');
    expect(created.status).toBe(200);
    const body = created.body as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'ci deploy',
      createdBy: OWNER.user,
      created: '2026-01-01T00:00:00Z',
      lastUsed: '',
      lastUsedIP: '',
      lastUsedUserAgent: '',
      expires: '',
      status: 'active',
      token: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    const value = body.token as string;

    const list = await call(sandbox, 'GET', '/api/v0/user/apitokens', { as: OWNER });
    expect(list.status).toBe(200);
    expect((list.body as { data: unknown[] }).data).toHaveLength(2);
    expect(list.text).not.toContain(value);
    const one = await call(sandbox, 'GET', `/api/v0/user/apitokens/${body.id as string}`, { as: OWNER });
    expect(one.body).not.toHaveProperty('token');
    expect(JSON.stringify(sandbox.snapshot())).not.toContain(value);

    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user, token: value } })).status).toBe(200);
  });

  it(`allows at most ${MAX_TOKENS_PER_USER} tokens per user (the seeded one counts); the 6th is a 400`, async () => {
    for (let i = 1; i < MAX_TOKENS_PER_USER; i++) expect((await createToken(`t${i}`)).status).toBe(200);
    expectMessage(await createToken('t5'), 400);
    expect(((await call(sandbox, 'GET', '/api/v0/user/apitokens', { as: OWNER })).body as { data: unknown[] }).data).toHaveLength(MAX_TOKENS_PER_USER);
  });

  it('counts expired tokens toward the limit (they are not deleted)', async () => {
    for (let i = 1; i < MAX_TOKENS_PER_USER - 1; i++) expect((await createToken(`t${i}`)).status).toBe(200);
    clock.advance(10 * DAY_MS);
    const fresh = (await createToken('fresh')).body as { token: string };
    const as = { user: OWNER.user, token: fresh.token };
    expect((await patchCorp({ apiTokenMaxAge: 5 * 86400 }, as)).status).toBe(200);
    const mine = (await call(sandbox, 'GET', '/api/v0/user/apitokens', { as })).body as { data: { status: string }[] };
    expect(mine.data.map((t) => t.status).sort()).toEqual(['active', 'expired', 'expired', 'expired', 'expired']);
    expectMessage(await createToken('t5', as), 400);
  });

  it.each(['ci-deploy', 'me@ci', 'deploy!', '100%', '', ' lead', 'trail ', 'two  spaces', 'x'.repeat(65)])(
    'rejects the token name %j with 400',
    async (name) => {
      expectMessage(await createToken(name), 400);
    },
  );

  it('accepts letters, digits, underscores and single spaces up to 64 characters', async () => {
    expect((await createToken('CI_deploy 2')).status).toBe(200);
    expect((await createToken('y'.repeat(64))).status).toBe(200);
  });

  it('rejects a second token of the same user with the same name (400)', async () => {
    expect((await createToken('ci')).status).toBe(200);
    expectMessage(await createToken('ci'), 400);
  });

  it.each([
    ['a non-JSON content type', { body: 'name=ci', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['malformed JSON', { body: '{"name":', headers: {} }],
    ['a JSON array', { body: '[]', headers: {} }],
    ['an unknown field', { body: { name: 'ci', expires: '2030-01-01T00:00:00Z' }, headers: {} }],
    ['a non-string name', { body: { name: 7 }, headers: {} }],
  ])('rejects a create with %s (400)', async (_label, { body, headers }) => {
    expectMessage(await call(sandbox, 'POST', '/api/v0/user/apitokens', { as: OWNER, body, headers }), 400);
  });

  it('deletes an own token (204, JSON content type, no body) and the value stops working', async () => {
    const created = (await createToken('short lived')).body as { id: string; token: string };
    const del = await call(sandbox, 'DELETE', `/api/v0/user/apitokens/${created.id}`, { as: OWNER });
    expect(del.status).toBe(204);
    expect(del.headers.get('content-type')).toBe(JSON_TYPE);
    expect(del.text).toBe('');
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user, token: created.token } }), 401, 'Unauthorized');
    expectMessage(await call(sandbox, 'DELETE', `/api/v0/user/apitokens/${created.id}`, { as: OWNER }), 404);
  });

  it("never shows or deletes another user's token through /user/apitokens (404)", async () => {
    giveUserToken(sandbox, clock.now());
    expectMessage(await call(sandbox, 'GET', `/api/v0/user/apitokens/${SEED_OWNER_TOKEN_ID}`, { as: USER }), 404);
    expectMessage(await call(sandbox, 'DELETE', `/api/v0/user/apitokens/${SEED_OWNER_TOKEN_ID}`, { as: USER }), 404);
    const list = await call(sandbox, 'GET', '/api/v0/user/apitokens', { as: USER });
    expect((list.body as { data: { createdBy: string }[] }).data.map((t) => t.createdBy)).toEqual([USER.user]);
  });
});

describe('owner views and owner-only changes', () => {
  beforeEach(() => giveUserToken(sandbox, clock.now()));

  it('lets the owner list every token of the corp with creator and status', async () => {
    const tokens = await corpTokens();
    expect(tokens.map((t) => [t.createdBy, t.status])).toEqual([
      [OWNER.user, 'active'],
      [USER.user, 'active'],
    ]);
  });

  it('lets the owner delete any token (204)', async () => {
    const del = await call(sandbox, 'DELETE', `${CORP}/apitokens/0000000000000000000000aa`, { as: OWNER });
    expect(del.status).toBe(204);
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: USER }), 401, 'Unauthorized');
  });

  it.each([
    ['GET', `${CORP}/apitokens`, undefined],
    ['DELETE', `${CORP}/apitokens/${SEED_OWNER_TOKEN_ID}`, undefined],
    ['PATCH', CORP, { apiTokenMaxAge: 86400 }],
    ['PATCH', CORP, { displayName: 'Mine now' }],
    ['PATCH', `${CORP}/users/${USER.user}`, { accessTokenAllowed: true }],
  ])('answers 403 to a non-owner on %s %s', async (method, path, body) => {
    expectMessage(await call(sandbox, method, path, { as: USER, body }), 403, 'Forbidden');
  });

  it('lets a non-owner read the corp and its users', async () => {
    expect((await call(sandbox, 'GET', CORP, { as: USER })).status).toBe(200);
    const users = await call(sandbox, 'GET', `${CORP}/users`, { as: USER });
    expect((users.body as { data: { email: string; role: string }[] }).data.map((u) => [u.email, u.role])).toEqual([
      [OWNER.user, 'owner'],
      [USER.user, 'user'],
    ]);
  });

  it('answers 404 for another corp and for an unknown user', async () => {
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps/other-corp', { as: OWNER }), 404);
    expectMessage(await call(sandbox, 'PATCH', '/api/v0/corps/other-corp', { as: OWNER, body: { apiTokenMaxAge: 0 } }), 404);
    expectMessage(await call(sandbox, 'GET', `${CORP}/users/ghost@example.com`, { as: OWNER }), 404);
    expectMessage(await call(sandbox, 'PATCH', `${CORP}/users/ghost@example.com`, { as: OWNER, body: { accessTokenAllowed: true } }), 404);
  });

  it('returns the recorded CorpUser shape and updates accessTokenAllowed', async () => {
    const a = await call(sandbox, 'PATCH', `${CORP}/users/${encodeURIComponent(USER.user)}`, { as: OWNER, body: { accessTokenAllowed: true } });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      name: 'Sandbox User',
      email: USER.user,
      announcements: { uri: '/api/v0/user/announcements' },
      defaultDashboards: { uri: '/api/v0/user/defaultDashboards' },
      memberships: { data: [], uri: `/api/v0/corps/${SEED_CORP}/users/${USER.user}/memberships` },
      accessTokens: { uri: '/api/v0/user/apitokens' },
      role: 'user',
      status: 'active',
      mfaEnabled: false,
      corpAuthType: 'builtin',
      authStatus: 'none',
      created: '2022-01-18T17:51:41.435Z',
      apiUser: false,
      accessTokenAllowed: true,
      ssoProvisioned: false,
    });
  });

  it.each([{ accessTokenAllowed: 'yes' }, { role: 'owner' }, { email: 'x@example.com' }])('rejects the user PATCH %j with 400', async (body) => {
    expectMessage(await call(sandbox, 'PATCH', `${CORP}/users/${USER.user}`, { as: OWNER, body }), 400);
  });

  it.each([
    { apiTokenMaxAge: -1 },
    { apiTokenMaxAge: 1.5 },
    { apiTokenMaxAge: '86400' },
    { restrictedAccessTokens: 'true' },
    { apiAllowedIPs: '10.0.0.0/8' },
    { apiAllowedIPs: ['10.0.0.0/33'] },
    { apiAllowedIPs: ['256.1.1.1'] },
    { apiAllowedIPs: ['01.2.3.4'] },
    { apiAllowedIPs: ['10.0.0.1 '] },
    { apiAllowedIPs: ['2001:db8::/32'] },
    { apiAllowedIPs: [''] },
    { name: 'renamed' },
    { sessionMaxAgeDashboard: 0 },
  ])('rejects the corp PATCH %j with 400 and changes nothing', async (body) => {
    const before = (await call(sandbox, 'GET', CORP, { as: OWNER })).body;
    expectMessage(await patchCorp({ displayName: 'Changed', ...body }), 400);
    expect((await call(sandbox, 'GET', CORP, { as: OWNER })).body).toEqual(before);
  });

  it('applies a valid corp PATCH and answers with the Corp', async () => {
    const a = await patchCorp({ apiTokenMaxAge: 2592000, apiAllowedIPs: ['127.0.0.1', '10.0.0.0/8'], displayName: 'Renamed' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({
      apiTokenMaxAge: 2592000,
      apiAllowedIPs: ['127.0.0.1', '10.0.0.0/8'],
      displayName: 'Renamed',
      restrictedAccessTokens: false,
    });
  });
});

describe('apiTokenMaxAge: expiry from each token creation, re-evaluated live', () => {
  it('expires a 60-day-old token under a 30-day policy and revives it under 90 days', async () => {
    giveUserToken(sandbox, clock.now() - 60 * DAY_MS);
    expect((await patchCorp({ apiTokenMaxAge: 30 * 86400 })).status).toBe(200);
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: USER }), 401, 'Unauthorized');
    const userToken = (await corpTokens()).find((t) => t.createdBy === USER.user)!;
    expect(userToken).toMatchObject({ status: 'expired', expires: '2025-12-02T00:00:00Z' });

    expect((await patchCorp({ apiTokenMaxAge: 90 * 86400 })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: USER })).status).toBe(200);
    expect((await corpTokens()).find((t) => t.createdBy === USER.user)).toMatchObject({ status: 'active', expires: '2026-01-31T00:00:00Z' });

    expect((await patchCorp({ apiTokenMaxAge: 0 })).status).toBe(200);
    expect((await corpTokens()).find((t) => t.createdBy === USER.user)).toMatchObject({ status: 'active', expires: '' });
  });

  it('expires a token when the clock passes created + apiTokenMaxAge (not before)', async () => {
    expect((await patchCorp({ apiTokenMaxAge: 86400 })).status).toBe(200);
    clock.advance(86400_000 - 1);
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER })).status).toBe(200);
    clock.advance(1);
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER }), 401, 'Unauthorized');
  });
});

describe('restrictedAccessTokens: restrict access by user', () => {
  beforeEach(() => giveUserToken(sandbox, clock.now()));

  it('disables (does not delete) tokens of users without the grant, and a grant re-enables them', async () => {
    expect((await call(sandbox, 'PATCH', `${CORP}/users/${OWNER.user}`, { as: OWNER, body: { accessTokenAllowed: true } })).status).toBe(200);
    expect((await patchCorp({ restrictedAccessTokens: true })).body).toMatchObject({ restrictedAccessTokens: true });

    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: USER }), 401, 'Unauthorized');
    expectMessage(await createToken('new one', USER), 401, 'Unauthorized');
    expect((await corpTokens()).map((t) => [t.createdBy, t.status])).toEqual([
      [OWNER.user, 'active'],
      [USER.user, 'disabled'],
    ]);

    expect((await call(sandbox, 'PATCH', `${CORP}/users/${USER.user}`, { as: OWNER, body: { accessTokenAllowed: true } })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: USER })).status).toBe(200);
    expect((await createToken('new one', USER)).status).toBe(200);
  });

  it('remembers the grant when restriction is turned off and on again', async () => {
    await call(sandbox, 'PATCH', `${CORP}/users/${OWNER.user}`, { as: OWNER, body: { accessTokenAllowed: true } });
    await call(sandbox, 'PATCH', `${CORP}/users/${USER.user}`, { as: OWNER, body: { accessTokenAllowed: true } });
    await patchCorp({ restrictedAccessTokens: true });
    await patchCorp({ restrictedAccessTokens: false });
    await patchCorp({ restrictedAccessTokens: true });
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: USER })).status).toBe(200);
  });

  it('lets everyone use tokens while unrestricted, whatever accessTokenAllowed says', async () => {
    expect((await call(sandbox, 'GET', `${CORP}/users/${USER.user}`, { as: USER })).body).toMatchObject({ accessTokenAllowed: false });
    expect((await createToken('allowed by default', USER)).status).toBe(200);
  });

  it('locks out an owner who restricts tokens without granting themselves first', async () => {
    expect((await patchCorp({ restrictedAccessTokens: true })).status).toBe(200);
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER }), 401, 'Unauthorized');
  });
});

describe('apiAllowedIPs: IP allow-list', () => {
  beforeEach(async () => {
    expect((await patchCorp({ apiAllowedIPs: ['10.0.0.0/8', '192.0.2.7'] })).status).toBe(200);
  });

  it.each(['10.0.0.1', '10.255.255.255', '192.0.2.7'])('accepts a caller at %s', async (ip) => {
    await setCallerIp(sandbox, ip);
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER })).status).toBe(200);
    expect(((await call(sandbox, 'GET', `/api/v0/user/apitokens/${SEED_OWNER_TOKEN_ID}`, { as: OWNER })).body as { lastUsedIP: string }).lastUsedIP).toBe(ip);
  });

  it.each(['11.0.0.1', '192.0.2.8', '127.0.0.1', '::1'])('answers 400 {"message"} to a caller at %s', async (ip) => {
    await setCallerIp(sandbox, ip);
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER }), 400);
  });

  it('still answers 401 (not 400) to a bad token from outside the list', async () => {
    await setCallerIp(sandbox, '11.0.0.1');
    expectMessage(await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user, token: 'nope-nope' } }), 401, 'Unauthorized');
  });

  it('accepts /0 as "everywhere" and an emptied list as no restriction', async () => {
    await setCallerIp(sandbox, '10.0.0.1');
    expect((await patchCorp({ apiAllowedIPs: ['0.0.0.0/0'] })).status).toBe(200);
    await setCallerIp(sandbox, '198.51.100.1');
    expect((await patchCorp({ apiAllowedIPs: [] })).status).toBe(200);
    await setCallerIp(sandbox, '203.0.113.9');
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: OWNER })).status).toBe(200);
  });
});

describe('state: snapshot, restore, reset', () => {
  it('round-trips a snapshot and never stores token values', async () => {
    const created = (await createToken('kept')).body as { token: string };
    const snap = sandbox.snapshot();
    expect(JSON.stringify(snap)).not.toContain(created.token);
    expect(JSON.stringify(snap)).not.toContain(SEED_OWNER_TOKEN);
    sandbox.reset();
    expect((sandbox.snapshot().sigsci as SigSciState).tokens).toHaveLength(1);
    sandbox.restore(snap);
    expect(sandbox.snapshot()).toEqual(snap);
    expect((await call(sandbox, 'GET', '/api/v0/corps', { as: { user: OWNER.user, token: created.token } })).status).toBe(200);
  });

  it('restores through the control surface PUT /__sandbox/state', async () => {
    const snap = sandbox.snapshot().sigsci as SigSciState;
    snap.corp.apiTokenMaxAge = 3600;
    const res = await fetch(`${sandbox.baseUrl}/__sandbox/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sigsci: snap }),
    });
    expect(res.status).toBe(200);
    expect((await call(sandbox, 'GET', CORP, { as: OWNER })).body).toMatchObject({ apiTokenMaxAge: 3600 });
  });

  const mutations: [string, (s: SigSciState) => unknown][] = [
    ['a non-object', () => 'nope'],
    ['an unknown top-level field', (s) => ({ ...s, extra: 1 })],
    ['a negative apiTokenMaxAge', (s) => ({ ...s, corp: { ...s.corp, apiTokenMaxAge: -5 } })],
    ['a bad allow-list entry', (s) => ({ ...s, corp: { ...s.corp, apiAllowedIPs: ['10.0.0.0/40'] } })],
    ['an unknown role', (s) => ({ ...s, users: s.users.map((u) => ({ ...u, role: 'god' })) })],
    ['an upper-case e-mail', (s) => ({ ...s, users: s.users.map((u) => ({ ...u, email: u.email.toUpperCase() })) })],
    ['a token of an unknown user', (s) => ({ ...s, tokens: s.tokens.map((t) => ({ ...t, email: 'ghost@example.com' })) })],
    ['a token holding a raw value', (s) => ({ ...s, tokens: s.tokens.map((t) => ({ ...t, token: 'raw' })) })],
    ['a bad token id', (s) => ({ ...s, tokens: s.tokens.map((t) => ({ ...t, id: 'xyz' })) })],
    ['a bad created date', (s) => ({ ...s, tokens: s.tokens.map((t) => ({ ...t, created: 'yesterday' })) })],
    [
      'six tokens for one user',
      (s) => ({
        ...s,
        tokens: Array.from({ length: 6 }, (_, i) => ({ ...s.tokens[0]!, id: `${i}`.padStart(24, '0'), name: `n${i}`, tokenSha256: `${i}`.padStart(64, '0') })),
      }),
    ],
    [
      'two tokens with the same name',
      (s) => ({ ...s, tokens: [s.tokens[0]!, { ...s.tokens[0]!, id: '1'.padStart(24, '0'), tokenSha256: '1'.padStart(64, '0') }] }),
    ],
  ];
  it.each(mutations)('refuses to restore %s and keeps the old state', (_label, mutate) => {
    const before = sandbox.snapshot().sigsci as SigSciState;
    expect(() => sandbox.emulator('sigsci').restore(mutate(structuredClone(before)))).toThrow(/sigsci state/);
    expect(sandbox.snapshot().sigsci).toEqual(before);
  });
});

describe('strictness', () => {
  it('answers 404 for paths the vendor does not have and 405 for wrong methods', async () => {
    expect((await call(sandbox, 'GET', '/api/v1/corps', { as: OWNER })).status).toBe(404);
    expect((await call(sandbox, 'PUT', '/api/v0/user/apitokens', { as: OWNER, body: {} })).status).toBe(405);
    expect(sandbox.calls('sigsci').map((c) => [c.status, c.unmatched])).toEqual([
      [404, true],
      [405, true],
    ]);
  });
});
