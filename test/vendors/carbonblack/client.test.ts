import { Agent, type Dispatcher } from 'undici';

import type { HttpResponse } from '../../../src/auth/http';
import { LimiterRegistry } from '../../../src/auth/rate-limit';
import { ManualClock } from '../../../src/core/clock';
import {
  APIACCESS_BAD_RESPONSE,
  APIACCESS_CONFLICT,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_NOT_FOUND,
  APIACCESS_RATE_LIMITED,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
} from '../../../src/core/errors';
import { Sandbox } from '../../../src/sandbox/server';
import {
  CARBONBLACK_RATE_SAFETY_MARGIN_MS,
  CARBONBLACK_RATE_WINDOW_MS,
  CarbonBlackClient,
  type CarbonBlackClientConfig,
  processApiKeyListResponse,
  processApiKeyWithSecretResponse,
  processEnvelope,
} from '../../../src/vendors/carbonblack/client';
import {
  type CarbonBlackEmulator,
  createCarbonBlackEmulator,
  KEY_ADMIN_ACCESS_LEVEL_ID,
  SEED_API_KEY,
  SEED_KEY_ADMIN_KEY,
  SEED_ORG_KEY,
  type SeedCredential,
} from '../../../src/vendors/carbonblack/emulator';
import { call, control, V3_PATH, token } from './_helpers';
import { expectNoSecret, rejection, waitUntil } from '../../support/helpers';

let sandbox: Sandbox;
let clock: ManualClock;
let registry: LimiterRegistry;
let agents: Agent[];

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  sandbox = await Sandbox.start({ emulators: [createCarbonBlackEmulator], clock });
  registry = new LimiterRegistry();
  agents = [];
});

afterEach(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await sandbox.close();
});

function client(
  credential: Pick<SeedCredential, 'apiId' | 'apiSecretKey'> = SEED_KEY_ADMIN_KEY,
  extra: Partial<CarbonBlackClientConfig> = {},
): CarbonBlackClient {
  const agent = new Agent();
  agents.push(agent);
  return new CarbonBlackClient({
    baseUrl: `${sandbox.baseUrl}/carbonblack`,
    orgKey: SEED_ORG_KEY,
    apiId: credential.apiId,
    apiSecretKey: credential.apiSecretKey,
    clock,
    limiterRegistry: registry,
    dispatcher: agent,
    retry: { maxRetries: 0 },
    ...extra,
  });
}

function emulator(): CarbonBlackEmulator {
  return sandbox.emulator<CarbonBlackEmulator>('carbonblack');
}

describe('API key lifecycle against the sandbox', () => {
  it('creates a key, shows its secret once, and the new key authenticates with X-Auth-Token', async () => {
    const cb = client();
    const created = await cb.createApiKey({ name: 'splunk', description: 'SIEM forwarder', access_level_type: 'SIEM', allowed_ip_addresses: ['127.0.0.1'] });
    expect(created).toMatchObject({
      name: 'splunk',
      description: 'SIEM forwarder',
      access_level_type: 'SIEM',
      custom_access_level_id: null,
      allowed_ip_addresses: ['127.0.0.1'],
    });
    expect(created.api_id).toMatch(/^[A-Z0-9]{10}$/);
    expect(created.api_secret_key).toMatch(/^[A-Z0-9]{24}$/);
    expect(created).not.toHaveProperty('success');
    const res = await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: `${created.api_secret_key}/${created.api_id}` });
    expect(res.status).toBe(200);
    const read = await cb.getApiKey(created.api_id);
    expect(read).not.toHaveProperty('api_secret_key');
    expect({ ...read, api_secret_key: created.api_secret_key }).toEqual(created);
  });

  it('lists and finds keys by name, without secrets', async () => {
    const cb = client();
    const keys = await cb.listApiKeys();
    expect(keys.map((k) => k.api_id).sort()).toEqual(['SBXAPI0001', 'SBXKEYS004', 'SBXLIVE003', 'SBXSIEM002']);
    expect(JSON.stringify(keys)).not.toContain(SEED_API_KEY.apiSecretKey);
    expect((await cb.findApiKeyByName('sandbox siem'))?.access_level_type).toBe('SIEM');
    expect(await cb.findApiKeyByName('nope')).toBeUndefined();
  });

  it('updates name, description and IP allow-list; the allow-list applies at once', async () => {
    const cb = client();
    const k = await cb.createApiKey({ name: 'ingest', access_level_type: 'API' });
    clock.advance(1000);
    const updated = await cb.updateApiKey(k.api_id, { name: 'ingest-2', description: 'renamed', allowed_ip_addresses: ['192.0.2.0/24'] });
    expect(updated).toMatchObject({ api_id: k.api_id, name: 'ingest-2', description: 'renamed', allowed_ip_addresses: ['192.0.2.0/24'] });
    expect(updated.update_time).toBe(new Date(clock.now()).toISOString());
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${k.api_secret_key}/${k.api_id}` })).status).toBe(401);
  });

  it('regenerates: the new secret works and the old one does not', async () => {
    const cb = client();
    const k = await cb.createApiKey({ name: 'rotating', access_level_type: 'API' });
    const fresh = await cb.regenerateApiKey(k.api_id);
    expect(fresh.api_id).toBe(k.api_id);
    expect(fresh.api_secret_key).not.toBe(k.api_secret_key);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${k.api_secret_key}/${k.api_id}` })).status).toBe(401);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${fresh.api_secret_key}/${k.api_id}` })).status).toBe(200);
  });

  it('keeps working after regenerating its own key (switches to the new secret)', async () => {
    const cb = client();
    const fresh = await cb.regenerateApiKey(SEED_KEY_ADMIN_KEY.apiId);
    expect(fresh.api_secret_key).not.toBe(SEED_KEY_ADMIN_KEY.apiSecretKey);
    expect(await cb.listApiKeys()).toHaveLength(4);
    expect((await call(sandbox, 'GET', `/carbonblack/appservices/v6/orgs/${SEED_ORG_KEY}/api_keys`, { token: token(SEED_KEY_ADMIN_KEY) })).status).toBe(401);
  });

  it('deletes a key (true), then reports it gone: delete false, get null, update NOT_FOUND', async () => {
    const cb = client();
    const k = await cb.createApiKey({ name: 'temp', access_level_type: 'LIVE_RESPONSE' });
    expect(await cb.deleteApiKey(k.api_id)).toBe(true);
    expect(await cb.deleteApiKey(k.api_id)).toBe(false);
    expect(await cb.getApiKey(k.api_id)).toBeNull();
    const err = await rejection(cb.updateApiKey(k.api_id, { name: 'x' }));
    expect(err).toMatchObject({ code: APIACCESS_NOT_FOUND, status: 404 });
    expect((await rejection(cb.regenerateApiKey(k.api_id))).code).toBe(APIACCESS_NOT_FOUND);
  });

  it('creates CUSTOM keys with a custom access level, which can manage keys in turn', async () => {
    const created = await client().createApiKey({ name: 'terraform', access_level_type: 'CUSTOM', custom_access_level_id: KEY_ADMIN_ACCESS_LEVEL_ID });
    const second = client({ apiId: created.api_id, apiSecretKey: created.api_secret_key });
    expect((await second.listApiKeys()).map((k) => k.name)).toContain('terraform');
  });
});

describe('documented failures → coded errors without secrets', () => {
  it('wrong key type: an API key may not manage keys → APIACCESS_UNAUTHORIZED with a hint', async () => {
    const err = await rejection(client(SEED_API_KEY).listApiKeys());
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, status: 401 });
    expect(err.message).toContain('access level');
    expectNoSecret(err, SEED_API_KEY.apiSecretKey);
  });

  it('wrong secret → APIACCESS_UNAUTHORIZED; the secret is not in the message', async () => {
    const wrong = 'WRONGSECRETWRONGSECRET00';
    const err = await rejection(client({ apiId: SEED_KEY_ADMIN_KEY.apiId, apiSecretKey: wrong }).listApiKeys());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expectNoSecret(err, wrong);
  });

  it('caller outside the key allow-list → APIACCESS_UNAUTHORIZED', async () => {
    const admin = client();
    await admin.updateApiKey(SEED_KEY_ADMIN_KEY.apiId, { allowed_ip_addresses: ['203.0.113.0/24'] });
    await control(sandbox, 'PUT', 'caller-ip', { ip: '198.51.100.20' });
    const err = await rejection(admin.listApiKeys());
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, status: 401 });
    expectNoSecret(err, SEED_KEY_ADMIN_KEY.apiSecretKey);
    await control(sandbox, 'PUT', 'caller-ip', { ip: '203.0.113.20' });
    expect(await admin.listApiKeys()).toHaveLength(4);
  });

  it('over the limit (budget used by someone else) → APIACCESS_RATE_LIMITED', async () => {
    for (let i = 0; i < 25; i++) await call(sandbox, 'GET', `/carbonblack/appservices/v6/orgs/${SEED_ORG_KEY}/api_keys`, { token: token(SEED_KEY_ADMIN_KEY) });
    const err = await rejection(client().listApiKeys());
    expect(err).toMatchObject({ code: APIACCESS_RATE_LIMITED, status: 429 });
    expect(err.message).toContain('25 calls per 5 minutes');
    expectNoSecret(err, SEED_KEY_ADMIN_KEY.apiSecretKey);
  });

  it('duplicate name → APIACCESS_CONFLICT', async () => {
    const err = await rejection(client().createApiKey({ name: 'sandbox api', access_level_type: 'API' }));
    expect(err).toMatchObject({ code: APIACCESS_CONFLICT, status: 409 });
  });

  it('malformed input the vendor refuses (400) → APIACCESS_VENDOR_REJECTED with the vendor message', async () => {
    const err = await rejection(client().createApiKey({ name: 'bad-ip', access_level_type: 'API', allowed_ip_addresses: ['10.0.0.0/99'] }));
    expect(err).toMatchObject({ code: APIACCESS_VENDOR_REJECTED, status: 400 });
    expect(err.message).toContain('allowed_ip_addresses[0]');
  });

  it('a wrong org key → APIACCESS_UNAUTHORIZED', async () => {
    const err = await rejection(client(SEED_KEY_ADMIN_KEY, { orgKey: 'OTHER999' }).listApiKeys());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
  });

  it.each([
    ['apiSecretKey', { apiSecretKey: '' }],
    ['apiSecretKey', { apiSecretKey: `${SEED_KEY_ADMIN_KEY.apiSecretKey}/${SEED_KEY_ADMIN_KEY.apiId}` }],
    ['apiId', { apiId: '' }],
    ['apiId', { apiId: 'A/B' }],
    ['orgKey', { orgKey: '../x' }],
  ])('refuses a bad %s locally (APIACCESS_INVALID_ARGUMENT) before any call', (field, patch) => {
    let err: unknown;
    try {
      client({ ...SEED_KEY_ADMIN_KEY, ...patch } as SeedCredential, patch);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT, field });
    expectNoSecret(err as ApiAccessError, SEED_KEY_ADMIN_KEY.apiSecretKey);
    expect(sandbox.calls('carbonblack')).toEqual([]);
  });

  it('refuses bad create/update input locally before any call', async () => {
    const cb = client();
    expect((await rejection(cb.createApiKey({ name: '', access_level_type: 'API' }))).field).toBe('name');
    expect((await rejection(cb.createApiKey({ name: 'x', access_level_type: 'ROOT' as 'API' }))).field).toBe('access_level_type');
    expect((await rejection(cb.updateApiKey(SEED_API_KEY.apiId, {}))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect((await rejection(cb.getApiKey(''))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect(sandbox.calls('carbonblack')).toEqual([]);
  });
});

describe('issue 6: creates identified by their idempotency key, never by name', () => {
  it('re-sends a create that never reached the vendor (socket reset) under the same key, leaving exactly one key', async () => {
    expect(await control(sandbox, 'POST', 'faults', { vendor: 'carbonblack', status: 'reset', count: 1 })).toBe(201);
    const created = await client(SEED_KEY_ADMIN_KEY, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 } }).createApiKey(
      { name: 'reset-once', access_level_type: 'API' },
      undefined,
      'cb-key-1',
    );
    expect(
      emulator()
        .snapshot()
        .apiKeys.filter((k) => k.name === 'reset-once'),
    ).toHaveLength(1);
    expect(sandbox.calls('carbonblack').map((c) => `${c.method} ${c.status}`)).toEqual(['POST 0', 'POST 201']);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${created.api_secret_key}/${created.api_id}` })).status).toBe(200);
  });

  it('when the create happened but its answer was lost, the repeat under the same key replays it: one key, its secret works', async () => {
    // GIVEN a base dispatcher that lets the first POST reach the sandbox but loses its answer
    const agent = new Agent();
    agents.push(agent);
    let dropped = 0;
    const loseFirstPostAnswer = (dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] =>
      function lose(opts, handler) {
        if (opts.method !== 'POST' || dropped > 0) return dispatch(opts, handler);
        dropped += 1;
        let ctrl: Dispatcher.DispatchController | undefined;
        return dispatch(opts, {
          onRequestStart: (c, context) => {
            ctrl = c;
            handler.onRequestStart?.(c, context);
          },
          onResponseStart: () => undefined,
          onResponseData: () => undefined,
          onResponseEnd: () =>
            handler.onResponseError?.(ctrl as Dispatcher.DispatchController, Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' })),
          onResponseError: (c, e) => handler.onResponseError?.(c, e),
        });
      };
    const cb = client(SEED_KEY_ADMIN_KEY, { dispatcher: agent.compose(loseFirstPostAnswer), retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 } });

    // WHEN the create is made
    const created = await cb.createApiKey({ name: 'lost-answer', access_level_type: 'SIEM' }, undefined, 'cb-key-2');

    // THEN there is one key of that name, its returned secret works, and nothing was looked up or regenerated
    expect(dropped).toBe(1);
    expect(
      emulator()
        .snapshot()
        .apiKeys.filter((k) => k.name === 'lost-answer'),
    ).toHaveLength(1);
    expect(sandbox.calls('carbonblack').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /appservices/v6/orgs/ABCD1234/api_keys 201',
      'POST /appservices/v6/orgs/ABCD1234/api_keys 201',
    ]);
    expect((await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: `${created.api_secret_key}/${created.api_id}` })).status).toBe(200);
  });

  it('without a key, a create whose connection was reset is not sent again', async () => {
    expect(await control(sandbox, 'POST', 'faults', { vendor: 'carbonblack', status: 'reset', count: 1 })).toBe(201);
    await expect(client().createApiKey({ name: 'no-key', access_level_type: 'API' })).rejects.toMatchObject({ code: 'APIACCESS_NETWORK_ERROR' });
    expect(sandbox.calls('carbonblack').map((c) => `${c.method} ${c.status}`)).toEqual(['POST 0']);
  });
});

describe('client-side rate limiting (25 calls / 5 min per API ID)', () => {
  it('a burst of 100 calls from two concurrent clients never draws a 429 and finishes after ≈ 3 × 5 minutes', async () => {
    // GIVEN two clients with the same API ID and one limiter registry, and one movable clock shared
    // by their limiter and the sandbox; a base dispatcher counts the calls the limiter let through
    const agent = new Agent();
    agents.push(agent);
    let sent = 0;
    const counting = agent.compose(
      (dispatch) =>
        function countSent(opts, handler) {
          sent += 1;
          return dispatch(opts, handler);
        },
    );
    const a = client(SEED_KEY_ADMIN_KEY, { dispatcher: counting });
    const b = client(SEED_KEY_ADMIN_KEY, { dispatcher: counting });
    const t0 = clock.now();
    let done = 0;
    let finishedAt = 0;

    // WHEN 100 calls start at once
    const all = Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 === 0 ? a : b).listApiKeys().then((keys) => {
          done += 1;
          finishedAt = clock.now();
          return keys.length;
        }),
      ),
    );
    // Move time (1 s steps) only while nothing is in flight: every call let through has finished
    // and the limiter sleeps.
    while (done < 100) {
      await waitUntil(() => done === 100 || (done === sent && clock.pending > 0));
      if (done < 100) clock.advance(1_000);
    }
    const sizes = await all;

    // THEN all succeeded, the sandbox saw 100 calls and not one 429, at the budget's pace
    expect(sizes).toEqual(Array(100).fill(4));
    const journal = sandbox.calls('carbonblack');
    expect(journal).toHaveLength(100);
    expect(journal.filter((c) => c.status === 429)).toEqual([]);
    expect(journal.every((c) => c.status === 200)).toBe(true);
    // Three full windows (plus the client's one-second safety margin per window): ≈ 15 minutes.
    expect(finishedAt - t0).toBe(3 * (CARBONBLACK_RATE_WINDOW_MS + CARBONBLACK_RATE_SAFETY_MARGIN_MS));
    expect(Math.abs(finishedAt - t0 - 15 * 60_000)).toBeLessThanOrEqual(5_000);
  });

  it('shares the budget through the registry: a second client with the same API ID waits for the first', async () => {
    const a = client();
    await Promise.all(Array.from({ length: 25 }, () => a.listApiKeys()));
    let finished = false;
    const pending = client()
      .listApiKeys()
      .then(() => void (finished = true));
    await waitUntil(() => clock.pending > 0);
    expect(finished).toBe(false);
    clock.advance(CARBONBLACK_RATE_WINDOW_MS);
    await waitUntil(() => true);
    expect(finished).toBe(false); // the safety margin is not over yet
    clock.advance(CARBONBLACK_RATE_SAFETY_MARGIN_MS);
    await pending;
    expect(finished).toBe(true);
    expect(sandbox.calls('carbonblack')).toHaveLength(26);
    expect(sandbox.calls('carbonblack').filter((c) => c.status === 429)).toEqual([]);
  });

  it('keeps separate budgets for separate API IDs', async () => {
    const created = await client().createApiKey({ name: 'second admin', access_level_type: 'CUSTOM', custom_access_level_id: KEY_ADMIN_ACCESS_LEVEL_ID });
    await Promise.all(Array.from({ length: 24 }, () => client().listApiKeys()));
    // The first key's budget is spent; the second key's is untouched and answers without waiting.
    expect(await client({ apiId: created.api_id, apiSecretKey: created.api_secret_key }).listApiKeys()).toHaveLength(5);
    expect(sandbox.calls('carbonblack').filter((c) => c.status === 429)).toEqual([]);
  });
});

describe('processing answers (make sense of the reply)', () => {
  function response(status: number, body: unknown): HttpResponse {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return {
      status,
      headers: {},
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  it('refuses a 200 with success: false (APIACCESS_VENDOR_REJECTED) and a body without the flag (BAD_RESPONSE)', () => {
    expect(() => processEnvelope(response(200, { success: false, message: 'nope' }), 'x')).toThrow(
      expect.objectContaining({ code: APIACCESS_VENDOR_REJECTED }),
    );
    expect(() => processEnvelope(response(200, { api_keys: [] }), 'x')).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }));
    expect(() => processEnvelope(response(200, 'not json'), 'x')).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }));
  });

  it('refuses a list with an item of the wrong shape', () => {
    expect(() => processApiKeyListResponse(response(200, { success: true, api_keys: [{ api_id: 'X' }] }))).toThrow(
      expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }),
    );
  });

  it('refuses a create answer without a secret', () => {
    const key = {
      api_id: 'ABCD123456',
      name: 'n',
      description: '',
      access_level_type: 'API',
      custom_access_level_id: null,
      allowed_ip_addresses: [],
      create_time: '2026-01-01T00:00:00.000Z',
      update_time: '2026-01-01T00:00:00.000Z',
    };
    expect(() => processApiKeyWithSecretResponse(response(201, { success: true, ...key }), 'x', [201])).toThrow(
      expect.objectContaining({ code: APIACCESS_BAD_RESPONSE }),
    );
    expect(processApiKeyWithSecretResponse(response(201, { success: true, message: 'Success', ...key, api_secret_key: 'S' }), 'x', [201])).toEqual({
      ...key,
      api_secret_key: 'S',
    });
  });
});
