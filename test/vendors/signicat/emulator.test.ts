/**
 * The Signicat emulator on its own, over plain HTTP against a fresh sandbox per test: one test per
 * documented (or PROPOSED) rule of shared/reference/vendors/signicat.md, each asserting the status
 * and the body shape.
 */
import { createHash } from 'node:crypto';

import type { Sandbox } from '../../../src/sandbox/server';
import type { SignicatEmulator } from '../../../src/vendors/signicat/emulator';
import {
  addSecret,
  api,
  type ApiClientBody,
  basic,
  CLIENTS_PATH,
  control,
  createClient,
  encodeAll,
  ERROR_TYPE,
  fetchToken,
  MANAGE_PERMISSION,
  SEED_ACCOUNT_ID,
  SEED_CLIENT_ID,
  SEED_CLIENT_SECRET,
  send,
  startSandbox,
  TOKEN_PATH,
  tokenRequest,
} from './_sandbox';

let sandbox: Sandbox;
let emulator: SignicatEmulator;

beforeEach(async () => {
  ({ sandbox, emulator } = await startSandbox());
});
afterEach(async () => {
  await sandbox.close();
});

const GRANT = {
  grant_type: 'client_credentials',
  scope: 'signicat-api',
} as const;
const POST_AUTH = {
  client_id: SEED_CLIENT_ID,
  client_secret: SEED_CLIENT_SECRET,
} as const;
/** The seed's own example header (plain halves). */
const SEED_BASIC = 'Basic c2FuZGJveC1yb3VuZC1hcHBsZS0xMjM6ZmFrZUNsMTNuN1MzQ3IzVDEyMzQ1Njc4OTA=';
const TRACE_ID = /^[0-9a-f]{32}$/;

/** The OAuth error body: `error` plus an optional string `error_description`, nothing else. */
function expectOAuthError(body: unknown, error: string): void {
  expect(body).toEqual({
    error,
    ...((body as Record<string, unknown>).error_description !== undefined ? { error_description: expect.any(String) } : {}),
  });
}

/** Signicat's generic error object. */
function expectApiError(body: unknown, status: number, code: string): void {
  expect(body).toEqual({
    type: ERROR_TYPE,
    title: expect.any(String),
    detail: expect.any(String),
    code,
    status,
    traceId: expect.stringMatching(TRACE_ID),
  });
}

/** A validation failure whose invalidParams name exactly `names`. */
function expectInvalidParams(body: unknown, names: string[]): void {
  expect(body).toEqual({
    type: ERROR_TYPE,
    title: expect.any(String),
    detail: expect.any(String),
    code: 'validation_error',
    status: 400,
    traceId: expect.stringMatching(TRACE_ID),
    invalidParams: names.map((name) => ({ name, reason: expect.any(String) })),
  });
}

function expectTokenSuccess(res: { status: number; headers: Headers; body: unknown }, expiresIn = 600): void {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
  expect(res.headers.get('cache-control')).toBe('no-store, no-cache, max-age=0');
  expect(res.body).toEqual({
    access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    expires_in: expiresIn,
    token_type: 'Bearer',
    scope: 'signicat-api',
  });
}

describe('OIDC discovery', () => {
  it('names the issuer exactly as the URL it is served under, the token endpoint and both auth methods', async () => {
    const res = await send(sandbox, 'GET', '/signicat/auth/open/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const issuer = `${sandbox.baseUrl}/signicat/auth/open`;
    expect(res.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/connect/token`,
      grant_types_supported: expect.arrayContaining(['client_credentials']),
      scopes_supported: ['signicat-api'],
    });
    const methods = (res.body as { token_endpoint_auth_methods_supported: string[] }).token_endpoint_auth_methods_supported;
    expect([...methods].sort()).toEqual(['client_secret_basic', 'client_secret_post']);
  });
});

describe('token endpoint: success', () => {
  it('issues a token with client_secret_post', async () => {
    expectTokenSuccess(await tokenRequest(sandbox, { ...GRANT, ...POST_AUTH }));
  });

  it('accepts the fields in any order and a Content-Type with ;charset=UTF-8', async () => {
    const res = await tokenRequest(
      sandbox,
      { ...POST_AUTH, scope: 'signicat-api', grant_type: 'client_credentials' },
      { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    );
    expectTokenSuccess(res);
  });

  it("issues a token with client_secret_basic and the seed's example header (plain halves)", async () => {
    expect(basic(SEED_CLIENT_ID, SEED_CLIENT_SECRET)).toBe(SEED_BASIC);
    expectTokenSuccess(await tokenRequest(sandbox, GRANT, { authorization: SEED_BASIC }));
  });

  it('form-url-decodes both Basic halves (sandbox%2Dround%2Dapple%2D123, as openid-client sends them)', async () => {
    const authorization = basic(SEED_CLIENT_ID, SEED_CLIENT_SECRET, encodeAll);
    expect(Buffer.from(authorization.slice(6), 'base64').toString()).toMatch(/^sandbox%2Dround%2Dapple%2D123:/);
    expectTokenSuccess(
      await tokenRequest(sandbox, GRANT, {
        authorization,
        'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      }),
    );
  });

  it('decodes a secret whose + / = were encoded (as simple-oauth2 sends them)', async () => {
    // GIVEN the seed client also holds a secret with + / = in it
    const secret = 'a+b/c=d0123456789';
    const doc = (await control(sandbox, 'GET', 'state')).body as {
      signicat: { clients: { id: string; secrets: unknown[] }[] };
    };
    doc.signicat.clients[0]!.secrets.push({
      id: 'plus-slash',
      name: null,
      createdAt: new Date().toISOString(),
      sha256: createHash('sha256').update(secret).digest('hex'),
    });
    expect((await control(sandbox, 'PUT', 'state', doc)).status).toBe(200);
    // THEN the encoded form authenticates, and a raw + (a space once decoded) does not
    expectTokenSuccess(
      await tokenRequest(sandbox, GRANT, {
        authorization: basic(SEED_CLIENT_ID, secret, encodeURIComponent),
      }),
    );
    const raw = await tokenRequest(sandbox, GRANT, {
      authorization: basic(SEED_CLIENT_ID, secret),
    });
    expect(raw.status).toBe(401);
    expectOAuthError(raw.body, 'invalid_client');
  });

  it("reports the client's access-token lifetime in expires_in after it changes", async () => {
    const token = await fetchToken(sandbox);
    const patched = await api(sandbox, 'PATCH', `/${SEED_CLIENT_ID}`, {
      token,
      body: { accessTokenLifetime: 1234 },
    });
    expect(patched.status).toBe(200);
    expectTokenSuccess(await tokenRequest(sandbox, { ...GRANT, ...POST_AUTH }), 1234);
    expectTokenSuccess(await tokenRequest(sandbox, GRANT, { authorization: SEED_BASIC }), 1234);
  });
});

describe('token endpoint: errors', () => {
  it('answers invalid_request to a body that is not form-encoded', async () => {
    const res = await tokenRequest(sandbox, JSON.stringify({ ...GRANT, ...POST_AUTH }), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_request');
  });

  it('answers invalid_request when grant_type is missing', async () => {
    const res = await tokenRequest(sandbox, {
      scope: 'signicat-api',
      ...POST_AUTH,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_request');
  });

  it('answers unsupported_grant_type to grant_type=password', async () => {
    const res = await tokenRequest(sandbox, {
      grant_type: 'password',
      scope: 'signicat-api',
      username: 'u',
      password: 'p',
      ...POST_AUTH,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'unsupported_grant_type');
  });

  it('answers invalid_request when scope is missing', async () => {
    const res = await tokenRequest(sandbox, {
      grant_type: 'client_credentials',
      ...POST_AUTH,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_request');
  });

  it('answers invalid_scope to any scope other than signicat-api', async () => {
    const res = await tokenRequest(sandbox, {
      grant_type: 'client_credentials',
      scope: 'openid',
      ...POST_AUTH,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_scope');
  });

  it('answers invalid_client to an unknown client', async () => {
    const res = await tokenRequest(sandbox, {
      ...GRANT,
      client_id: 'sandbox-tricky-turtle-183',
      client_secret: SEED_CLIENT_SECRET,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_client');
  });

  it('answers invalid_client to a wrong secret, with post and with Basic', async () => {
    const post = await tokenRequest(sandbox, {
      ...GRANT,
      client_id: SEED_CLIENT_ID,
      client_secret: 'not-the-secret',
    });
    expect(post.status).toBe(400);
    expectOAuthError(post.body, 'invalid_client');
    const viaBasic = await tokenRequest(sandbox, GRANT, {
      authorization: basic(SEED_CLIENT_ID, 'not-the-secret'),
    });
    expect(viaBasic.status).toBe(401);
    expectOAuthError(viaBasic.body, 'invalid_client');
  });

  it('answers 401 invalid_client to Basic with a WWW-Authenticate: Basic challenge (RFC 6749 §5.2)', async () => {
    const res = await tokenRequest(sandbox, GRANT, {
      authorization: basic(SEED_CLIENT_ID, 'not-the-secret'),
    });
    expect(res.status).toBe(401);
    expectOAuthError(res.body, 'invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic\b/i);
  });

  it('answers invalid_client for a client with zero secrets, even with an empty client_secret', async () => {
    const client = await createClient(sandbox, await fetchToken(sandbox));
    for (const secret of ['', SEED_CLIENT_SECRET]) {
      const res = await tokenRequest(sandbox, {
        ...GRANT,
        client_id: client.id,
        client_secret: secret,
      });
      expect(res.status).toBe(400);
      expectOAuthError(res.body, 'invalid_client');
    }
  });

  it('answers invalid_client to a deleted secret', async () => {
    const token = await fetchToken(sandbox);
    const client = await createClient(sandbox, token);
    const { id, secret } = await addSecret(sandbox, token, client.id);
    expect((await api(sandbox, 'DELETE', `/${client.id}/secrets/${id}`, { token })).status).toBe(204);
    const res = await tokenRequest(sandbox, {
      ...GRANT,
      client_id: client.id,
      client_secret: secret,
    });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_client');
  });

  it('answers invalid_request to Basic plus client_secret in the body', async () => {
    const res = await tokenRequest(sandbox, { ...GRANT, client_secret: SEED_CLIENT_SECRET }, { authorization: SEED_BASIC });
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_request');
  });

  it('answers invalid_request to a parameter sent twice', async () => {
    const res = await tokenRequest(
      sandbox,
      `grant_type=client_credentials&scope=signicat-api&scope=signicat-api&client_id=${SEED_CLIENT_ID}&client_secret=${SEED_CLIENT_SECRET}`,
    );
    expect(res.status).toBe(400);
    expectOAuthError(res.body, 'invalid_request');
  });

  it.each([
    ['not base64', 'Basic !!!not-base64!!!'],
    ['no colon', `Basic ${Buffer.from(SEED_CLIENT_ID).toString('base64')}`],
    ['a bad percent escape', `Basic ${Buffer.from(`${SEED_CLIENT_ID}:%ZZ`).toString('base64')}`],
  ])('answers 401 invalid_client to malformed Basic credentials (%s)', async (_what, authorization) => {
    const res = await tokenRequest(sandbox, GRANT, { authorization });
    expect(res.status).toBe(401);
    expectOAuthError(res.body, 'invalid_client');
  });
});

describe('management: authentication and authorisation', () => {
  it('answers 401 invalid_token without a token', async () => {
    const res = await api(sandbox, 'GET', '');
    expect(res.status).toBe(401);
    expectApiError(res.body, 401, 'invalid_token');
  });

  it('answers 401 invalid_token to a garbage token', async () => {
    const res = await api(sandbox, 'GET', '', {
      token: 'eyJhbGciOiJub25lIn0.e30.garbage',
    });
    expect(res.status).toBe(401);
    expectApiError(res.body, 401, 'invalid_token');
  });

  it('accepts a token until expires_in has passed on the sandbox clock, then answers 401 invalid_token', async () => {
    const token = await fetchToken(sandbox);
    expect((await control(sandbox, 'POST', 'clock', { advanceSeconds: 598 })).status).toBe(200);
    expect((await api(sandbox, 'GET', '', { token })).status).toBe(200);
    expect((await control(sandbox, 'POST', 'clock', { advanceSeconds: 3 })).status).toBe(200);
    const res = await api(sandbox, 'GET', '', { token });
    expect(res.status).toBe(401);
    expectApiError(res.body, 401, 'invalid_token');
  });

  it(`answers 403 to the token of a client without ${MANAGE_PERMISSION}`, async () => {
    const admin = await fetchToken(sandbox);
    const client = await createClient(sandbox, admin);
    const { secret } = await addSecret(sandbox, admin, client.id);
    const res = await api(sandbox, 'GET', '', {
      token: await fetchToken(sandbox, client.id, secret),
    });
    expect(res.status).toBe(403);
    expectApiError(res.body, 403, 'insufficient_permissions');
  });

  it('answers 400 with invalidParams when signicat-accountId is missing', async () => {
    const res = await api(sandbox, 'GET', '', {
      token: await fetchToken(sandbox),
      account: null,
    });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, ['signicat-accountId']);
  });

  it('answers 403 for another account', async () => {
    const res = await api(sandbox, 'GET', '', {
      token: await fetchToken(sandbox),
      account: 'a-spge-other000000000000000001',
    });
    expect(res.status).toBe(403);
    expectApiError(res.body, 403, 'forbidden');
  });
});

describe('management: API clients', () => {
  let token: string;
  beforeEach(async () => {
    token = await fetchToken(sandbox);
  });

  it('lists the seed client with metadata only', async () => {
    const res = await api(sandbox, 'GET', '', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          id: SEED_CLIENT_ID,
          name: expect.any(String),
          accountId: SEED_ACCOUNT_ID,
          accessTokenLifetime: 600,
          createdAt: expect.any(String),
          permissions: [MANAGE_PERMISSION],
          secrets: [
            {
              id: expect.any(String),
              name: expect.anything(),
              createdAt: expect.any(String),
            },
          ],
        },
      ],
    });
    expect(res.text).not.toContain(SEED_CLIENT_SECRET);
  });

  it.each([
    ['an empty name', { name: '' }, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['no name', { accessTokenLifetime: 600 }, ['name']],
    ['lifetime 0', { name: 'x', accessTokenLifetime: 0 }, ['accessTokenLifetime']],
    ['lifetime 3601', { name: 'x', accessTokenLifetime: 3601 }, ['accessTokenLifetime']],
    ['a non-integer lifetime', { name: 'x', accessTokenLifetime: 1.5 }, ['accessTokenLifetime']],
    ['a string lifetime', { name: 'x', accessTokenLifetime: '600' }, ['accessTokenLifetime']],
    ['an unknown field', { name: 'x', id: 'sandbox-my-own-001' }, ['id']],
    ['two bad fields', { name: '', accessTokenLifetime: 0 }, ['name', 'accessTokenLifetime']],
  ])('rejects a create with %s: 400 naming the field, nothing created', async (_what, body, names) => {
    const res = await api(sandbox, 'POST', '', { token, body });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, names);
    expect(emulator.snapshot().clients).toHaveLength(1);
  });

  it.each([
    ['a body that is not JSON', '{"name": "x"', 'application/json'],
    ['a JSON array', '[{"name": "x"}]', 'application/json'],
    ['a form body', 'name=x', 'application/x-www-form-urlencoded'],
  ])('rejects a create with %s: 400 validation_error', async (_what, raw, type) => {
    const res = await api(sandbox, 'POST', '', {
      token,
      body: raw,
      headers: { 'content-type': type },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: ERROR_TYPE,
      code: 'validation_error',
      status: 400,
      traceId: expect.stringMatching(TRACE_ID),
    });
    expect(emulator.snapshot().clients).toHaveLength(1);
  });

  it('creates a client: 201, generated id, no secrets, no permissions, default lifetime 600', async () => {
    const res = await api(sandbox, 'POST', '', {
      token,
      body: { name: 'backend' },
    });
    expect(res.status).toBe(201);
    const body = res.body as ApiClientBody;
    expect(body).toEqual({
      id: expect.stringMatching(/^sandbox-[a-z]+-[a-z]+-\d{3}$/),
      name: 'backend',
      accountId: SEED_ACCOUNT_ID,
      accessTokenLifetime: 600,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      secrets: [],
      permissions: [],
    });
    expect(body.id).not.toBe(SEED_CLIENT_ID);
    const read = await api(sandbox, 'GET', `/${body.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(body);
  });

  it('creates a client with an explicit lifetime at both bounds', async () => {
    expect(
      (
        await createClient(sandbox, token, {
          name: 'one',
          accessTokenLifetime: 1,
        })
      ).accessTokenLifetime,
    ).toBe(1);
    expect(
      (
        await createClient(sandbox, token, {
          name: 'max',
          accessTokenLifetime: 3600,
        })
      ).accessTokenLifetime,
    ).toBe(3600);
  });

  it('updates name and lifetime with PATCH and keeps the rest', async () => {
    const client = await createClient(sandbox, token);
    const res = await api(sandbox, 'PATCH', `/${client.id}`, {
      token,
      body: { name: 'renamed', accessTokenLifetime: 900 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...client,
      name: 'renamed',
      accessTokenLifetime: 900,
    });
    expect((await api(sandbox, 'GET', `/${client.id}`, { token })).body).toEqual({ ...client, name: 'renamed', accessTokenLifetime: 900 });
  });

  it.each([
    ['lifetime 0', { accessTokenLifetime: 0 }, ['accessTokenLifetime']],
    ['lifetime 3601', { accessTokenLifetime: 3601 }, ['accessTokenLifetime']],
    ['an empty name', { name: '' }, ['name']],
    ['an unknown field', { permissions: [] }, ['permissions']],
  ])('rejects a PATCH with %s and changes nothing', async (_what, body, names) => {
    const client = await createClient(sandbox, token);
    const res = await api(sandbox, 'PATCH', `/${client.id}`, { token, body });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, names);
    expect((await api(sandbox, 'GET', `/${client.id}`, { token })).body).toEqual(client);
  });

  it('deletes a client: 204, then 404 not_found', async () => {
    const client = await createClient(sandbox, token);
    const del = await api(sandbox, 'DELETE', `/${client.id}`, { token });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    for (const method of ['GET', 'DELETE']) {
      const res = await api(sandbox, method, `/${client.id}`, { token });
      expect(res.status).toBe(404);
      expectApiError(res.body, 404, 'not_found');
    }
  });

  it('answers 404 to a client id that does not exist', async () => {
    const res = await api(sandbox, 'GET', '/sandbox-quiet-river-000', {
      token,
    });
    expect(res.status).toBe(404);
    expectApiError(res.body, 404, 'not_found');
  });
});

describe('management: secrets', () => {
  let token: string;
  let client: ApiClientBody;
  beforeEach(async () => {
    token = await fetchToken(sandbox);
    client = await createClient(sandbox, token);
  });

  it('generates a 48-character alphanumeric secret, shown once, that then obtains a token', async () => {
    const res = await api(sandbox, 'POST', `/${client.id}/secrets`, {
      token,
      body: { name: 'ci' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'ci',
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^[A-Za-z0-9]{48}$/),
    });
    const { id, secret } = res.body as { id: string; secret: string };

    const read = await api(sandbox, 'GET', `/${client.id}`, { token });
    expect((read.body as ApiClientBody).secrets).toEqual([{ id, name: 'ci', createdAt: expect.any(String) }]);
    const list = await api(sandbox, 'GET', `/${client.id}/secrets`, { token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      data: [{ id, name: 'ci', createdAt: expect.any(String) }],
    });
    const all = await api(sandbox, 'GET', '', { token });
    const state = await control(sandbox, 'GET', 'state');
    for (const text of [read.text, list.text, all.text, state.text]) expect(text).not.toContain(secret);

    const grant = await tokenRequest(sandbox, {
      ...GRANT,
      client_id: client.id,
      client_secret: secret,
    });
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({
      expires_in: 600,
      token_type: 'Bearer',
      scope: 'signicat-api',
    });
  });

  it('generates a secret without a body (name null)', async () => {
    const res = await send(sandbox, 'POST', `/signicat${CLIENTS_PATH}/${client.id}/secrets?signicat-accountId=${SEED_ACCOUNT_ID}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: null,
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^[A-Za-z0-9]{48}$/),
    });
  });

  it('deleting one secret revokes only that one', async () => {
    const first = await addSecret(sandbox, token, client.id, 'first');
    const second = await addSecret(sandbox, token, client.id, 'second');
    expect(first.secret).not.toBe(second.secret);

    const del = await api(sandbox, 'DELETE', `/${client.id}/secrets/${first.id}`, { token });
    expect(del.status).toBe(204);

    const revoked = await tokenRequest(sandbox, {
      ...GRANT,
      client_id: client.id,
      client_secret: first.secret,
    });
    expect(revoked.status).toBe(400);
    expectOAuthError(revoked.body, 'invalid_client');
    expect(
      (
        await tokenRequest(sandbox, {
          ...GRANT,
          client_id: client.id,
          client_secret: second.secret,
        })
      ).status,
    ).toBe(200);
    expect((await api(sandbox, 'GET', `/${client.id}/secrets`, { token })).body).toEqual({
      data: [{ id: second.id, name: 'second', createdAt: expect.any(String) }],
    });

    const again = await api(sandbox, 'DELETE', `/${client.id}/secrets/${first.id}`, { token });
    expect(again.status).toBe(404);
    expectApiError(again.body, 404, 'not_found');
  });
});

describe('management: permissions', () => {
  let token: string;
  let client: ApiClientBody;
  beforeEach(async () => {
    token = await fetchToken(sandbox);
    client = await createClient(sandbox, token);
  });

  it('stores valid permissions sorted and deduplicated', async () => {
    const res = await api(sandbox, 'PUT', `/${client.id}/permissions`, {
      token,
      body: {
        permissions: ['sessions:write', 'authentication:read', 'sessions:write'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...client,
      permissions: ['authentication:read', 'sessions:write'],
    });
    expect((await api(sandbox, 'GET', `/${client.id}`, { token })).body).toMatchObject({ permissions: ['authentication:read', 'sessions:write'] });
    const cleared = await api(sandbox, 'PUT', `/${client.id}/permissions`, {
      token,
      body: { permissions: [] },
    });
    expect(cleared.body).toMatchObject({ permissions: [] });
  });

  it.each([
    ['a bad shape', ['sessions:read', 'sessions']],
    ['a non-string', ['sessions:read', 42]],
    ['an unknown product', ['sessions:read', 'teleportation:read']],
    ['an unknown action', ['sessions:read', 'sessions:delete']],
  ])('rejects %s with invalidParams permissions[1] and changes nothing', async (_what, permissions) => {
    const res = await api(sandbox, 'PUT', `/${client.id}/permissions`, {
      token,
      body: { permissions },
    });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, ['permissions[1]']);
    expect((await api(sandbox, 'GET', `/${client.id}`, { token })).body).toMatchObject({ permissions: [] });
  });

  it('names every bad entry', async () => {
    const res = await api(sandbox, 'PUT', `/${client.id}/permissions`, {
      token,
      body: { permissions: ['x', 'sessions:read', 'sessions:nope'] },
    });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, ['permissions[0]', 'permissions[2]']);
  });

  it('rejects permissions that are not an array', async () => {
    const res = await api(sandbox, 'PUT', `/${client.id}/permissions`, {
      token,
      body: { permissions: 'sessions:read' },
    });
    expect(res.status).toBe(400);
    expectInvalidParams(res.body, ['permissions']);
  });

  it(`lets a client granted ${MANAGE_PERMISSION} call the management API`, async () => {
    const { secret } = await addSecret(sandbox, token, client.id);
    expect(
      (
        await api(sandbox, 'PUT', `/${client.id}/permissions`, {
          token,
          body: { permissions: [MANAGE_PERMISSION] },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api(sandbox, 'GET', '', {
          token: await fetchToken(sandbox, client.id, secret),
        })
      ).status,
    ).toBe(200);
  });
});

describe('strict routing', () => {
  it('answers 404 to an unknown route and records it as unmatched', async () => {
    const res = await send(sandbox, 'GET', '/signicat/management/unknown-things');
    expect(res.status).toBe(404);
    // Issue 6: the core's own 404 on a vendor prefix comes in the vendor's error shape.
    expect(res.body).toMatchObject({ code: 'not_found', status: 404, type: 'https://developer.signicat.com/docs/error-codes/' });
    expect((res.body as { detail: string }).detail).toContain('/signicat/management/unknown-things');
    expect(sandbox.calls('signicat')).toEqual([
      {
        vendor: 'signicat',
        method: 'GET',
        path: '/management/unknown-things',
        status: 404,
        unmatched: true,
      },
    ]);
  });

  it('answers 405 with Allow to a wrong method', async () => {
    const res = await send(sandbox, 'GET', `/signicat${TOKEN_PATH}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const put = await send(sandbox, 'PUT', `/signicat${CLIENTS_PATH}`);
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')?.split(/,\s*/).sort()).toEqual(['GET', 'POST']);
    expect(sandbox.calls('signicat').map((c) => [c.method, c.status])).toEqual([
      ['GET', 405],
      ['PUT', 405],
    ]);
  });
});

describe('state document', () => {
  it('round-trips: GET, PUT it back, GET again gives the same document, and issued tokens stay valid', async () => {
    const token = await fetchToken(sandbox);
    const admin = await createClient(sandbox, token, {
      name: 'extra',
      accessTokenLifetime: 120,
    });
    await addSecret(sandbox, token, admin.id);
    const before = await control(sandbox, 'GET', 'state');
    expect(before.status).toBe(200);
    const put = await control(sandbox, 'PUT', 'state', before.body);
    expect(put.status).toBe(200);
    expect(put.body).toEqual(before.body);
    expect((await control(sandbox, 'GET', 'state')).body).toEqual(before.body);
    expect((await api(sandbox, 'GET', '', { token })).status).toBe(200);
  });

  it.each([
    ['a signicat state without clients', { signicat: { accountId: 'x', tokens: {} } }],
    [
      'a client without secrets',
      {
        signicat: {
          accountId: 'x',
          tokens: {},
          clients: [
            {
              id: 'a',
              name: 'b',
              accountId: 'x',
              accessTokenLifetime: 600,
              permissions: [],
            },
          ],
        },
      },
    ],
    ['an unknown vendor', { nonsense: {} }],
    ['a JSON array', []],
    ['text that is not JSON', 'not json'],
  ])('rejects %s with 400 and keeps the state', async (_what, doc) => {
    const before = await control(sandbox, 'GET', 'state');
    const res = await control(sandbox, 'PUT', 'state', doc);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^sandbox: /) });
    expect((await control(sandbox, 'GET', 'state')).body).toEqual(before.body);
  });

  it.each([
    ['a lifetime outside 1..3600', (c: Record<string, unknown>) => [{ ...c, accessTokenLifetime: 0 }]],
    ['two clients with the same id', (c: Record<string, unknown>) => [c, { ...c }]],
    ['a permission that is not a string', (c: Record<string, unknown>) => [{ ...c, permissions: [42] }]],
  ])('rejects a state document with %s (values the API itself could never produce)', async (_what, clients) => {
    const before = (await control(sandbox, 'GET', 'state')).body as {
      signicat: { clients: Record<string, unknown>[] };
    };
    const doc = {
      signicat: {
        ...before.signicat,
        clients: clients(before.signicat.clients[0]!),
      },
    };
    const res = await control(sandbox, 'PUT', 'state', doc);
    expect(res.status).toBe(400);
    expect((await control(sandbox, 'GET', 'state')).body).toEqual(before);
  });

  it('reset restores only the seed and forgets issued tokens', async () => {
    const token = await fetchToken(sandbox);
    await createClient(sandbox, token);
    const res = await control(sandbox, 'POST', 'reset');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      signicat: {
        accountId: SEED_ACCOUNT_ID,
        clients: [
          expect.objectContaining({
            id: SEED_CLIENT_ID,
            permissions: [MANAGE_PERMISSION],
            secrets: [expect.objectContaining({ sha256: expect.any(String) })],
          }),
        ],
        tokens: {},
      },
    });
    expect(sandbox.journal).toEqual([]);
    expect((await api(sandbox, 'GET', '', { token })).status).toBe(401);
  });
});
