import { ManualClock } from '../../../src/core/clock';
import { Sandbox } from '../../../src/sandbox/server';
import {
  AUDITOR_ACCESS_LEVEL_ID,
  type CarbonBlackEmulator,
  createCarbonBlackEmulator,
  KEY_ADMIN_ACCESS_LEVEL_ID,
  RATE_WINDOW_MS,
  SEED_API_KEY,
  SEED_KEY_ADMIN_KEY,
  SEED_LIVE_RESPONSE_KEY,
  SEED_ORG_KEY,
  SEED_SIEM_KEY,
} from '../../../src/vendors/carbonblack/emulator';
import { seedState } from '../../../src/vendors/carbonblack/emulator/state';
import { call, control, KEYS_PATH, ORG, token, V3_PATH } from './_helpers';

const API = token(SEED_API_KEY);
const SIEM = token(SEED_SIEM_KEY);
const LR = token(SEED_LIVE_RESPONSE_KEY);
const ADMIN = token(SEED_KEY_ADMIN_KEY);

let sandbox: Sandbox;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  sandbox = await Sandbox.start({ emulators: [createCarbonBlackEmulator], clock });
});

afterEach(async () => {
  await sandbox.close();
});

function emulator(): CarbonBlackEmulator {
  return sandbox.emulator<CarbonBlackEmulator>('carbonblack');
}

/** Creates a key through the API with the admin key and returns its credential. */
async function createKey(body: Record<string, unknown>): Promise<{ apiId: string; apiSecretKey: string; body: Record<string, unknown> }> {
  const res = await call(sandbox, 'POST', KEYS_PATH, { token: ADMIN, json: body });
  expect(res.status).toBe(201);
  return { apiId: res.body.api_id as string, apiSecretKey: res.body.api_secret_key as string, body: res.body };
}

describe('seed', () => {
  it('documents credentials in the vendor format: 24-character secret, 10-character ID, org key in the path', () => {
    for (const c of [SEED_API_KEY, SEED_SIEM_KEY, SEED_LIVE_RESPONSE_KEY, SEED_KEY_ADMIN_KEY]) {
      expect(c.apiSecretKey).toMatch(/^[A-Z0-9]{24}$/);
      expect(c.apiId).toMatch(/^[A-Z0-9]{10}$/);
    }
    expect(SEED_ORG_KEY).toBe(ORG);
    expect(emulator().apiKey(SEED_SIEM_KEY.apiId)?.access_level_type).toBe('SIEM');
  });

  it('stores secrets as hashes only: no secret value appears in the state', () => {
    const text = JSON.stringify(emulator().snapshot());
    for (const c of [SEED_API_KEY, SEED_SIEM_KEY, SEED_LIVE_RESPONSE_KEY, SEED_KEY_ADMIN_KEY]) expect(text).not.toContain(c.apiSecretKey);
  });
});

describe('X-Auth-Token', () => {
  it('accepts <API Secret Key>/<API ID> and answers success: true with message "Success"', async () => {
    const res = await call(sandbox, 'GET', `${V3_PATH}/device`, { token: API });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Success', totalResults: 2 });
    expect(res.body.results).toHaveLength(2);
  });

  it('reads the header name case-insensitively (the vendor curl example uses X-AUTH-TOKEN)', async () => {
    const res = await call(sandbox, 'GET', `${V3_PATH}/device`, { headers: { 'X-AUTH-TOKEN': API } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['swapped (ID/secret)', `${SEED_API_KEY.apiId}/${SEED_API_KEY.apiSecretKey}`],
    ['secret only', SEED_API_KEY.apiSecretKey],
    ['secret and slash only', `${SEED_API_KEY.apiSecretKey}/`],
    ['slash and ID only', `/${SEED_API_KEY.apiId}`],
    ['three parts', `${SEED_API_KEY.apiSecretKey}/${SEED_API_KEY.apiId}/x`],
    ['inner space', `${SEED_API_KEY.apiSecretKey} /${SEED_API_KEY.apiId}`],
    ['unknown key', 'ZZZZZZZZZZZZZZZZZZZZZZZZ/ZZZZZZZZZZ'],
    ['wrong secret for a real ID', `${SEED_SIEM_KEY.apiSecretKey}/${SEED_API_KEY.apiId}`],
    ['Bearer scheme', `Bearer ${SEED_API_KEY.apiSecretKey}/${SEED_API_KEY.apiId}`],
  ])('answers 401 {success:false} to a %s token', async (_label, value) => {
    const res = await call(sandbox, 'GET', `${V3_PATH}/device`, value === undefined ? {} : { token: value });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
    expect(typeof res.body.message).toBe('string');
    expect(res.body.message).not.toContain(SEED_API_KEY.apiSecretKey);
  });
});

describe('key-type route matrix', () => {
  const routes: [string, string, string, Record<string, unknown> | undefined][] = [
    ['device list', 'GET', `${V3_PATH}/device`, undefined],
    ['device info', 'GET', `${V3_PATH}/device/11001`, undefined],
    ['policy list', 'GET', `${V3_PATH}/policy`, undefined],
    ['event list', 'GET', `${V3_PATH}/event`, undefined],
    ['audit logs', 'GET', `${V3_PATH}/auditlogs`, undefined],
    ['notifications', 'GET', `${V3_PATH}/notification`, undefined],
    ['cblr open', 'POST', `${V3_PATH}/cblr/session/11001`, undefined],
    ['cblr status', 'GET', `${V3_PATH}/cblr/session/1:11001`, undefined],
    ['cblr close', 'PUT', `${V3_PATH}/cblr/session`, { session_id: '1:11001', status: 'CLOSE' }],
    ['api key list', 'GET', KEYS_PATH, undefined],
  ];
  // Expected status per key type; cblr status/close are 404 for LR because no session exists yet.
  const expected: Record<string, Record<string, number>> = {
    API: {
      'device list': 200,
      'device info': 200,
      'policy list': 200,
      'event list': 200,
      'audit logs': 200,
      notifications: 401,
      'cblr open': 401,
      'cblr status': 401,
      'cblr close': 401,
      'api key list': 401,
    },
    SIEM: {
      'device list': 401,
      'device info': 401,
      'policy list': 401,
      'event list': 401,
      'audit logs': 401,
      notifications: 200,
      'cblr open': 401,
      'cblr status': 401,
      'cblr close': 401,
      'api key list': 401,
    },
    LIVE_RESPONSE: {
      'device list': 200,
      'device info': 200,
      'policy list': 200,
      'event list': 200,
      'audit logs': 200,
      notifications: 401,
      'cblr open': 200,
      'cblr status': 404,
      'cblr close': 404,
      'api key list': 401,
    },
    CUSTOM: {
      'device list': 401,
      'device info': 401,
      'policy list': 401,
      'event list': 401,
      'audit logs': 401,
      notifications: 401,
      'cblr open': 401,
      'cblr status': 401,
      'cblr close': 401,
      'api key list': 200,
    },
  };
  const tokens: Record<string, string> = { API, SIEM, LIVE_RESPONSE: LR, CUSTOM: ADMIN };

  it.each(Object.keys(expected))('gates every route for a %s key exactly as the table says (401, never 403)', async (type) => {
    const seen: Record<string, number> = {};
    for (const [label, method, path, json] of routes) {
      // Fresh state per route so an opened session or a used budget does not change the next answer.
      sandbox.reset();
      const res = await call(sandbox, method, path, { token: tokens[type], json });
      seen[label] = res.status;
      expect(typeof res.body.success).toBe('boolean');
    }
    expect(seen).toEqual(expected[type]);
  });

  it('refuses the key-management routes to a CUSTOM key whose access level lacks org.api_keys', async () => {
    const auditor = await createKey({ name: 'auditor', access_level_type: 'CUSTOM', custom_access_level_id: AUDITOR_ACCESS_LEVEL_ID });
    const res = await call(sandbox, 'GET', KEYS_PATH, { token: `${auditor.apiSecretKey}/${auditor.apiId}` });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it('answers 401 on the key routes for another org key in the path', async () => {
    const res = await call(sandbox, 'GET', '/carbonblack/appservices/v6/orgs/OTHER999/api_keys', { token: ADMIN });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });
});

describe('rate limit: 25 calls per 5 minutes per key, sliding window on the sandbox clock', () => {
  async function burst(n: number, t = API): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await call(sandbox, 'GET', `${V3_PATH}/policy`, { token: t })).status);
    return out;
  }

  it('answers the 26th call inside the window with 429 {success:false} and no rate-limit headers', async () => {
    expect(await burst(25)).toEqual(Array(25).fill(200));
    const res = await fetch(`${sandbox.baseUrl}${V3_PATH}/policy`, { headers: { 'x-auth-token': API } });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ success: false });
    expect(res.headers.get('retry-after')).toBeNull();
    expect([...res.headers.keys()].filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
  });

  it('slides: a call is admitted exactly when the oldest counted call leaves the 5-minute window', async () => {
    await burst(10);
    clock.advance(60_000);
    await burst(15);
    clock.advance(RATE_WINDOW_MS - 60_000 - 1);
    expect(await burst(1)).toEqual([429]);
    clock.advance(1); // the first 10 calls leave the window
    expect(await burst(10)).toEqual(Array(10).fill(200));
    expect(await burst(1)).toEqual([429]);
  });

  it('does not count calls refused with 429 (a hammering client is not locked out for longer)', async () => {
    await burst(25);
    expect(await burst(20)).toEqual(Array(20).fill(429));
    clock.advance(RATE_WINDOW_MS);
    expect(await burst(25)).toEqual(Array(25).fill(200));
  });

  it('does not count 401s, and keeps one budget per key', async () => {
    expect(await burst(5, SIEM)).toEqual(Array(5).fill(401)); // SIEM may not read policies
    expect(await burst(25, API)).toEqual(Array(25).fill(200));
    expect((await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: SIEM })).status).toBe(200);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: LR })).status).toBe(200);
    expect(emulator().snapshot().rateWindows[SEED_SIEM_KEY.apiId]).toHaveLength(1);
  });

  it('counts calls that fail validation (they reached the API)', async () => {
    for (let i = 0; i < 25; i++) expect((await call(sandbox, 'GET', `${V3_PATH}/policy?rows=0`, { token: API })).status).toBe(400);
    expect(await burst(1)).toEqual([429]);
  });

  it('follows the clock moved through the control surface', async () => {
    await burst(25);
    expect(await control(sandbox, 'POST', 'clock', { advanceSeconds: 300 })).toBe(200);
    expect(await burst(1)).toEqual([200]);
  });

  it('can be switched off (the vendor may not enforce it); calls are still counted', async () => {
    emulator().setRateLimitEnforced(false);
    expect(await burst(30)).toEqual(Array(30).fill(200));
    expect(emulator().snapshot().rateWindows[SEED_API_KEY.apiId]).toHaveLength(30);
    emulator().setRateLimitEnforced(true);
    expect(await burst(1)).toEqual([429]);
  });

  it('records every 429 in the sandbox journal', async () => {
    await burst(27);
    expect(sandbox.calls('carbonblack').filter((c) => c.status === 429)).toHaveLength(2);
  });
});

describe('IP allow-list (PROPOSED: a caller outside it gets 401)', () => {
  it('admits callers inside an IPv4 CIDR and refuses others', async () => {
    const k = await createKey({ name: 'splunk', access_level_type: 'API', allowed_ip_addresses: ['203.0.113.0/24', '2001:db8::/32'] });
    const t = `${k.apiSecretKey}/${k.apiId}`;
    await control(sandbox, 'PUT', 'caller-ip', { ip: '203.0.113.7' });
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: t })).status).toBe(200);
    await control(sandbox, 'PUT', 'caller-ip', { ip: '2001:db8:1::5' });
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: t })).status).toBe(200);
    await control(sandbox, 'PUT', 'caller-ip', { ip: '198.51.100.1' });
    const res = await call(sandbox, 'GET', `${V3_PATH}/device`, { token: t });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it('applies an allow-list change at once; an empty list admits everyone', async () => {
    const k = await createKey({ name: 'siem', access_level_type: 'SIEM', allowed_ip_addresses: ['192.0.2.1'] });
    const t = `${k.apiSecretKey}/${k.apiId}`;
    expect((await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: t })).status).toBe(401); // from 127.0.0.1
    const upd = await call(sandbox, 'PUT', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN, json: { allowed_ip_addresses: [] } });
    expect(upd.status).toBe(200);
    expect((await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: t })).status).toBe(200);
  });
});

describe('API key management (PROPOSED v6 shape)', () => {
  it('creates a key (201) and shows its secret once; the new key works at once', async () => {
    const k = await createKey({ name: 'splunk', description: 'SIEM forwarder', access_level_type: 'SIEM', allowed_ip_addresses: ['203.0.113.0/24'] });
    expect(k.body).toMatchObject({
      success: true,
      message: 'Success',
      name: 'splunk',
      description: 'SIEM forwarder',
      access_level_type: 'SIEM',
      custom_access_level_id: null,
      allowed_ip_addresses: ['203.0.113.0/24'],
    });
    expect(k.apiId).toMatch(/^[A-Z0-9]{10}$/);
    expect(k.apiSecretKey).toMatch(/^[A-Z0-9]{24}$/);
    expect(k.body.create_time).toBe(new Date(clock.now()).toISOString());
    const got = await call(sandbox, 'GET', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('api_secret_key');
    expect(JSON.stringify(got.body)).not.toContain(k.apiSecretKey);
    const list = await call(sandbox, 'GET', KEYS_PATH, { token: ADMIN });
    expect((list.body.api_keys as { name: string }[]).map((x) => x.name)).toContain('splunk');
    expect(JSON.stringify(list.body)).not.toContain(k.apiSecretKey);
    await control(sandbox, 'PUT', 'caller-ip', { ip: '203.0.113.9' });
    expect((await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: `${k.apiSecretKey}/${k.apiId}` })).status).toBe(200);
  });

  it('creates CUSTOM keys only with an existing custom access level', async () => {
    const k = await createKey({ name: 'second admin', access_level_type: 'CUSTOM', custom_access_level_id: KEY_ADMIN_ACCESS_LEVEL_ID });
    expect(k.body.custom_access_level_id).toBe(KEY_ADMIN_ACCESS_LEVEL_ID);
    expect((await call(sandbox, 'GET', KEYS_PATH, { token: `${k.apiSecretKey}/${k.apiId}` })).status).toBe(200);
  });

  it('refuses a duplicate name with 409 {success:false}', async () => {
    await createKey({ name: 'dup', access_level_type: 'API' });
    const res = await call(sandbox, 'POST', KEYS_PATH, { token: ADMIN, json: { name: 'dup', access_level_type: 'SIEM' } });
    expect(res.status).toBe(409);
    expect(res.body.success).toBe(false);
    const rename = await call(sandbox, 'PUT', `${KEYS_PATH}/${SEED_API_KEY.apiId}`, { token: ADMIN, json: { name: 'dup' } });
    expect(rename.status).toBe(409);
  });

  it.each([
    ['not JSON', { raw: '{name:', contentType: 'application/json' }],
    ['a JSON array', { raw: '[]', contentType: 'application/json' }],
    ['the wrong content type', { raw: '{"name":"x","access_level_type":"API"}', contentType: 'text/plain' }],
    ['no name', { json: { access_level_type: 'API' } }],
    ['no access level', { json: { name: 'x' } }],
    ['an empty name', { json: { name: ' ', access_level_type: 'API' } }],
    ['a name over 64 characters', { json: { name: 'x'.repeat(65), access_level_type: 'API' } }],
    ['an unknown access level', { json: { name: 'x', access_level_type: 'ADMIN' } }],
    ['CUSTOM without a level', { json: { name: 'x', access_level_type: 'CUSTOM' } }],
    ['a level on an API key', { json: { name: 'x', access_level_type: 'API', custom_access_level_id: KEY_ADMIN_ACCESS_LEVEL_ID } }],
    ['an unknown custom level', { json: { name: 'x', access_level_type: 'CUSTOM', custom_access_level_id: 9999 } }],
    ['an IP list that is a string', { json: { name: 'x', access_level_type: 'API', allowed_ip_addresses: '203.0.113.1' } }],
    ['a bad IP', { json: { name: 'x', access_level_type: 'API', allowed_ip_addresses: ['203.0.113.300'] } }],
    ['a bad CIDR prefix', { json: { name: 'x', access_level_type: 'API', allowed_ip_addresses: ['203.0.113.0/33'] } }],
    ['duplicate IPs', { json: { name: 'x', access_level_type: 'API', allowed_ip_addresses: ['192.0.2.1', '192.0.2.1'] } }],
    ['a description that is not a string', { json: { name: 'x', access_level_type: 'API', description: 5 } }],
    ['a description over 256 characters', { json: { name: 'x', access_level_type: 'API', description: 'd'.repeat(257) } }],
    ['more than 50 IPs', { json: { name: 'x', access_level_type: 'API', allowed_ip_addresses: Array.from({ length: 51 }, (_, i) => `10.0.0.${i}`) } }],
    ['a custom level that is not an integer', { json: { name: 'x', access_level_type: 'CUSTOM', custom_access_level_id: '1001' } }],
    ['an unknown field', { json: { name: 'x', access_level_type: 'API', api_secret_key: 'ABCDEFGHIJKLMNO123456789' } }],
  ])('answers 400 {success:false} to a create with %s', async (_label, input) => {
    const before = emulator().snapshot().apiKeys.length;
    const res = await call(sandbox, 'POST', KEYS_PATH, { token: ADMIN, ...input });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(emulator().snapshot().apiKeys).toHaveLength(before);
  });

  it('updates name, description and allow-list (partial PUT); never returns the secret', async () => {
    const k = await createKey({ name: 'old', access_level_type: 'API' });
    clock.advance(1000);
    const res = await call(sandbox, 'PUT', `${KEYS_PATH}/${k.apiId}`, {
      token: ADMIN,
      json: { name: 'new', description: 'renamed', allowed_ip_addresses: ['192.0.2.0/28'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      api_id: k.apiId,
      name: 'new',
      description: 'renamed',
      access_level_type: 'API',
      allowed_ip_addresses: ['192.0.2.0/28'],
    });
    expect(res.body).not.toHaveProperty('api_secret_key');
    expect(res.body.update_time).not.toBe(res.body.create_time);
  });

  it('changes the access level: moving off CUSTOM clears the level, moving to CUSTOM needs one', async () => {
    const k = await createKey({ name: 'lvl', access_level_type: 'CUSTOM', custom_access_level_id: AUDITOR_ACCESS_LEVEL_ID });
    const toApi = await call(sandbox, 'PUT', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN, json: { access_level_type: 'API' } });
    expect(toApi.body).toMatchObject({ access_level_type: 'API', custom_access_level_id: null });
    expect((await call(sandbox, 'PUT', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN, json: { access_level_type: 'CUSTOM' } })).status).toBe(400);
  });

  it('answers 400 to an empty or malformed update', async () => {
    for (const json of [{}, { name: '' }, { allowed_ip_addresses: ['nope'] }, { api_id: 'X' }]) {
      const res = await call(sandbox, 'PUT', `${KEYS_PATH}/${SEED_API_KEY.apiId}`, { token: ADMIN, json });
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  it('deletes a key: it stops working and GET answers 404', async () => {
    const k = await createKey({ name: 'gone', access_level_type: 'API' });
    const del = await call(sandbox, 'DELETE', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN });
    expect(del).toEqual({ status: 200, body: { success: true, message: 'Success' } });
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${k.apiSecretKey}/${k.apiId}` })).status).toBe(401);
    const got = await call(sandbox, 'GET', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN });
    expect(got.status).toBe(404);
    expect(got.body.success).toBe(false);
    expect((await call(sandbox, 'DELETE', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN })).status).toBe(404);
  });

  it('regenerates: a new secret is shown once, the old one stops working at once, the ID stays', async () => {
    const k = await createKey({ name: 'rotate', access_level_type: 'API' });
    const res = await call(sandbox, 'POST', `${KEYS_PATH}/${k.apiId}/_regenerate`, { token: ADMIN });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, api_id: k.apiId, name: 'rotate' });
    const fresh = res.body.api_secret_key as string;
    expect(fresh).toMatch(/^[A-Z0-9]{24}$/);
    expect(fresh).not.toBe(k.apiSecretKey);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${k.apiSecretKey}/${k.apiId}` })).status).toBe(401);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${fresh}/${k.apiId}` })).status).toBe(200);
  });

  it('answers 400 to a regenerate with a body other than {}', async () => {
    const res = await call(sandbox, 'POST', `${KEYS_PATH}/${SEED_API_KEY.apiId}/_regenerate`, { token: ADMIN, json: { api_secret_key: 'x' } });
    expect(res.status).toBe(400);
    const ok = await call(sandbox, 'POST', `${KEYS_PATH}/${SEED_API_KEY.apiId}/_regenerate`, { token: ADMIN, json: {} });
    expect(ok.status).toBe(200);
  });

  it('answers 404 {success:false} for an unknown API ID on get, update, delete and regenerate', async () => {
    for (const [method, suffix, json] of [
      ['GET', '', undefined],
      ['PUT', '', { name: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/_regenerate', undefined],
    ] as const) {
      const res = await call(sandbox, method, `${KEYS_PATH}/NOSUCHKEY0${suffix}`, { token: ADMIN, json });
      expect(res.status).toBe(404);
      expect(res.body.success).toBe(false);
    }
  });

  it('writes key changes to the audit log, which each API key reads once', async () => {
    const k = await createKey({ name: 'audited', access_level_type: 'API' });
    await call(sandbox, 'DELETE', `${KEYS_PATH}/${k.apiId}`, { token: ADMIN });
    const first = await call(sandbox, 'GET', `${V3_PATH}/auditlogs`, { token: API });
    expect(first.body.success).toBe(true);
    const descriptions = (first.body.notifications as { description: string; loginName: string; clientIp: string }[]).map((e) => e.description);
    expect(descriptions).toEqual([
      'Logged in successfully',
      `Created API key audited with api key ${k.apiId}`,
      `Deleted API key audited with api key ${k.apiId}`,
    ]);
    expect(JSON.stringify(first.body)).not.toContain(k.apiSecretKey);
    const second = await call(sandbox, 'GET', `${V3_PATH}/auditlogs`, { token: API });
    expect(second.body).toEqual({ success: true, message: 'Success', notifications: [] });
  });
});

describe('v3 routes', () => {
  it('pages the device list with rows and 1-based start, and wraps one device in deviceInfo', async () => {
    const page2 = await call(sandbox, 'GET', `${V3_PATH}/device?rows=1&start=2`, { token: API });
    expect(page2.body).toMatchObject({ success: true, totalResults: 2, results: [{ deviceId: 11002 }] });
    const one = await call(sandbox, 'GET', `${V3_PATH}/device/11001`, { token: API });
    expect(one.body).toMatchObject({ success: true, message: 'Success', deviceInfo: { deviceId: 11001, name: 'WIN-SANDBOX-01' } });
    const policy = await call(sandbox, 'GET', `${V3_PATH}/policy/6525`, { token: API });
    expect(policy.body).toMatchObject({ success: true, policyInfo: { id: 6525 } });
  });

  it.each([
    ['rows=0', `${V3_PATH}/device?rows=0`],
    ['rows=abc', `${V3_PATH}/device?rows=abc`],
    ['start=0', `${V3_PATH}/device?start=0`],
    ['an unknown parameter', `${V3_PATH}/device?limit=5`],
    ['a repeated parameter', `${V3_PATH}/device?rows=1&rows=2`],
    ['a bad device ID', `${V3_PATH}/device/abc`],
    ['a bad searchWindow', `${V3_PATH}/event?searchWindow=1y`],
  ])('answers 400 {success:false} to %s', async (_label, path) => {
    const res = await call(sandbox, 'GET', path, { token: API });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
  });

  it('answers 404 {success:false} for an unknown device', async () => {
    const res = await call(sandbox, 'GET', `${V3_PATH}/device/99999`, { token: API });
    expect(res.status).toBe(404);
    expect(res.body.success).toBe(false);
  });

  it('filters events by searchWindow on the sandbox clock', async () => {
    const res = await call(sandbox, 'GET', `${V3_PATH}/event?searchWindow=1h`, { token: API });
    expect(res.body).toMatchObject({ totalResults: 1, results: [{ eventId: 'f1e2d3c4b5a69788' }] });
  });

  it('returns each SIEM notification once per key', async () => {
    const first = await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: SIEM });
    expect(first.body.success).toBe(true);
    expect(first.body.notifications).toHaveLength(2);
    const second = await call(sandbox, 'GET', `${V3_PATH}/notification`, { token: SIEM });
    expect(second.body).toEqual({ success: true, message: 'Success', notifications: [] });
  });

  it('opens a Live Response session (PENDING, then ACTIVE), reports it, and closes it', async () => {
    const open = await call(sandbox, 'POST', `${V3_PATH}/cblr/session/11001`, { token: LR });
    expect(open.body).toMatchObject({ success: true, id: '1:11001', device_id: 11001, status: 'PENDING' });
    clock.advance(2000);
    const status = await call(sandbox, 'GET', `${V3_PATH}/cblr/session/1:11001`, { token: LR });
    expect(status.body).toMatchObject({ success: true, status: 'ACTIVE' });
    const close = await call(sandbox, 'PUT', `${V3_PATH}/cblr/session`, { token: LR, json: { session_id: '1:11001', status: 'CLOSE' } });
    expect(close.body).toMatchObject({ success: true, status: 'CLOSE' });
  });

  it('answers Live Response mistakes with 400 or 404 and success: false', async () => {
    const cases: [string, string, { json?: unknown; raw?: string; contentType?: string }, number][] = [
      ['POST', `${V3_PATH}/cblr/session/99999`, {}, 404],
      ['POST', `${V3_PATH}/cblr/session/abc`, {}, 400],
      ['POST', `${V3_PATH}/cblr/session/11001`, { json: { device_id: 11002 } }, 400],
      ['GET', `${V3_PATH}/cblr/session/nonsense`, {}, 400],
      ['PUT', `${V3_PATH}/cblr/session`, { json: { session_id: '1:11001', status: 'OPEN' } }, 400],
      ['PUT', `${V3_PATH}/cblr/session`, { json: { session_id: '7:11001', status: 'CLOSE' } }, 404],
    ];
    for (const [method, path, options, status] of cases) {
      const res = await call(sandbox, method, path, { token: LR, ...options });
      expect([method, path, res.status]).toEqual([method, path, status]);
      expect(res.body.success).toBe(false);
    }
  });
});

describe('state', () => {
  const seedDoc = (): ReturnType<typeof seedState> => seedState(Date.UTC(2026, 0, 1));

  it('round-trips snapshot → restore → snapshot, and reset restores the seed', async () => {
    const k = await createKey({ name: 'kept', access_level_type: 'API' });
    const snap = emulator().snapshot();
    sandbox.reset();
    expect(emulator().apiKey(k.apiId)).toBeUndefined();
    emulator().restore(snap);
    expect(emulator().snapshot()).toEqual(snap);
    expect((await call(sandbox, 'GET', `${V3_PATH}/device`, { token: `${k.apiSecretKey}/${k.apiId}` })).status).toBe(200);
  });

  it('restores through PUT /__sandbox/state (e.g. switching enforcement off)', async () => {
    const doc = { ...emulator().snapshot(), rateLimitEnforced: false };
    expect(await control(sandbox, 'PUT', 'state', { carbonblack: doc })).toBe(200);
    expect(emulator().snapshot().rateLimitEnforced).toBe(false);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no apiKeys', { ...seedDoc(), apiKeys: undefined }],
    ['a bad access level', { ...seedDoc(), apiKeys: [{ ...seedDoc().apiKeys[0], access_level_type: 'ROOT' }] }],
    ['a bad hash', { ...seedDoc(), apiKeys: [{ ...seedDoc().apiKeys[0], secret_sha256: 'plain' }] }],
    ['a bad IP', { ...seedDoc(), apiKeys: [{ ...seedDoc().apiKeys[0], allowed_ip_addresses: ['x'] }] }],
    ['duplicate names', { ...seedDoc(), apiKeys: [seedDoc().apiKeys[0], { ...seedDoc().apiKeys[1], name: seedDoc().apiKeys[0]!.name }] }],
    ['a CUSTOM key without level', { ...seedDoc(), apiKeys: [{ ...seedDoc().apiKeys[3], custom_access_level_id: null }] }],
    ['rate windows of strings', { ...seedDoc(), rateWindows: { X: ['a'] } }],
    ['enforcement as a string', { ...seedDoc(), rateLimitEnforced: 'yes' }],
  ])('refuses to restore %s and keeps the old state', (_label, doc) => {
    const before = emulator().snapshot();
    expect(() => emulator().restore(doc)).toThrow(/carbonblack state/);
    expect(emulator().snapshot()).toEqual(before);
  });
});
