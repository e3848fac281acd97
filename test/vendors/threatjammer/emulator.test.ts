/**
 * The Threat Jammer emulator on its own: every documented (and PROPOSED) rule with its status and
 * body shape, driven over HTTP against a fresh sandbox with a manual clock.
 */
import type { ManualClock } from '../../../src/core/clock';
import { Sandbox } from '../../../src/sandbox/server';
import {
  createThreatJammerEmulator,
  DETAIL_DISABLED,
  DETAIL_MALFORMED,
  DETAIL_MISSING_BEARER,
  DETAIL_MISSING_HEADER,
  DETAIL_OTHER_REGION,
  DETAIL_UNKNOWN,
  KEY_PATTERN,
  MONTH_MS,
  SEED_USER_ID,
  type ThreatJammerEmulator,
  type ThreatJammerState,
} from '../../../src/vendors/threatjammer/emulator';
import { seedState } from '../../../src/vendors/threatjammer/emulator/state';
import { call, DAY_MS, SEED_API_KEY, START, startSandbox, tokenInfo } from './_sandbox';

let sandbox: Sandbox;
let clock: ManualClock;
let emulator: ThreatJammerEmulator;

beforeEach(async () => {
  ({ sandbox, clock, emulator } = await startSandbox());
});
afterEach(async () => {
  await sandbox.close();
});

const OTHER_KEY = 'tja_000000000000000000000000000000000000';

/** The error body every handled 4xx carries: title, detail and the documented "type:" key (plus "type"). */
function expectProblem(body: unknown, slug: string, detail?: string): void {
  const url = `https://threatjammer.com/docs/${slug}`;
  expect(body).toEqual({ title: expect.any(String), detail: detail ?? expect.any(String), type: url, 'type:': url });
}

describe('GET /test', () => {
  it('answers 200 to a valid key and does not count against the quota', async () => {
    const res = await call(sandbox, 'GET', '/test', { key: SEED_API_KEY });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'OK' });
    expect(emulator.user(SEED_USER_ID).month.used).toBe(0);
  });
});

describe('Bearer authentication', () => {
  it('rejects a request without Authorization with 401 and WWW-Authenticate: Bearer', async () => {
    const res = await call(sandbox, 'GET', '/v1/token');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expectProblem(res.body, 'error-unauthorized', DETAIL_MISSING_HEADER);
  });

  it('says that the Bearer prefix is missing when the key is sent bare', async () => {
    const res = await call(sandbox, 'GET', '/v1/token', { authorization: SEED_API_KEY });
    expect(res.status).toBe(401);
    expectProblem(res.body, 'error-unauthorized', DETAIL_MISSING_BEARER);
    expect((res.body as { detail: string }).detail).toContain('"Bearer"');
  });

  it('says that the Bearer prefix is missing when another scheme is used', async () => {
    const res = await call(sandbox, 'GET', '/test', { authorization: `Token ${SEED_API_KEY}` });
    expect(res.status).toBe(401);
    expectProblem(res.body, 'error-unauthorized', DETAIL_MISSING_BEARER);
  });

  it('compares the scheme word case-insensitively', async () => {
    expect((await call(sandbox, 'GET', '/test', { authorization: `bearer ${SEED_API_KEY}` })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/test', { authorization: `BEARER ${SEED_API_KEY}` })).status).toBe(200);
  });

  it.each([
    ['a wrong prefix', `tjb_${SEED_API_KEY.slice(4)}`],
    ['a short payload', SEED_API_KEY.slice(0, 39)],
    ['a long payload', `${SEED_API_KEY}0`],
    ['a character outside base-62', `${SEED_API_KEY.slice(0, 20)}-${SEED_API_KEY.slice(21)}`],
    ['an empty credential', ''],
    ['two spaces after the scheme', ` ${SEED_API_KEY}`],
  ])('rejects a key with %s as malformed (401)', async (_what, key) => {
    const res = await call(sandbox, 'GET', '/v1/token', { authorization: `Bearer ${key}` });
    expect(res.status).toBe(401);
    expectProblem(res.body, 'error-unauthorized', DETAIL_MALFORMED);
  });

  it('rejects a well-formed key that no user holds (401)', async () => {
    const res = await call(sandbox, 'GET', '/test', { key: OTHER_KEY });
    expect(res.status).toBe(401);
    expectProblem(res.body, 'error-unauthorized', DETAIL_UNKNOWN);
  });

  it('rejects a key of another region (401)', async () => {
    const { apiKey } = emulator.addUser({ email: 'far@example.com', region: 'aws-us-east-1' });
    const res = await call(sandbox, 'GET', '/v1/token', { key: apiKey });
    expect(res.status).toBe(401);
    expectProblem(res.body, 'error-unauthorized', DETAIL_OTHER_REGION);
  });

  it('never counts a rejected credential against anybody', async () => {
    await call(sandbox, 'GET', '/v1/token', { authorization: SEED_API_KEY });
    await call(sandbox, 'GET', '/v1/token', { key: OTHER_KEY });
    expect(emulator.user(SEED_USER_ID).month.used).toBe(0);
  });
});

describe('GET /v1/token', () => {
  it('reports every documented field as an integer, times in Unix milliseconds', async () => {
    const body = await tokenInfo(sandbox);
    expect(body).toEqual({
      self: `/v1/token/${SEED_API_KEY}`,
      region_id: 'aws-eu-west-3',
      last_month_bucket_init_value: 5000,
      last_month_bucket_value: 0,
      last_month_bucket_refresh: START + 30 * DAY_MS,
      last_minute_bucket_init_value: 10,
      last_minute_bucket_refill_ratio: 1,
      last_minute_bucket_value: 0,
      last_minute_bucket_refresh: START,
      status: 'ENABLED',
      created_at: START,
      updated_at: START,
    });
    for (const [k, v] of Object.entries(body)) if (typeof v === 'number') expect([k, Number.isInteger(v)]).toEqual([k, true]);
  });

  it('counts itself, and reports the buckets as they stood before the call', async () => {
    await tokenInfo(sandbox);
    await tokenInfo(sandbox);
    const third = await tokenInfo(sandbox);
    expect(third.last_month_bucket_value).toBe(2);
    expect(third.last_minute_bucket_value).toBe(2);
    expect(third.last_minute_bucket_refresh).toBe(START + 60_000);
    expect(emulator.user(SEED_USER_ID).month.used).toBe(3);
  });

  it('gives back refill_ratio calls to the per-minute bucket every whole second', async () => {
    for (let i = 0; i < 5; i++) await tokenInfo(sandbox);
    clock.advance(2_500);
    const body = await tokenInfo(sandbox);
    expect(body.last_minute_bucket_value).toBe(3);
    expect(body.last_month_bucket_value).toBe(5);
  });
});

describe('per-minute bucket', () => {
  it('answers 429 with Retry-After in seconds once the bucket is full, and admits again after the refill', async () => {
    for (let i = 0; i < 10; i++) expect((await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(200);
    const refused = await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expectProblem(refused.body, 'error-too-many-requests');
    expect(refused.headers.get('x-ratelimit-limit')).toBeNull();

    clock.advance(999);
    expect((await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(429);
    clock.advance(1);
    expect((await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(429);
  });

  it('does not count calls rejected for quota (PROPOSED)', async () => {
    for (let i = 0; i < 13; i++) await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect(emulator.user(SEED_USER_ID).month.used).toBe(10);
    expect(emulator.user(SEED_USER_ID).minute.used).toBe(10);
  });

  it('empties the bucket one minute after its first call (refill ratio 0: a plain per-minute window)', async () => {
    emulator.setLimits(SEED_USER_ID, { refillRatio: 0 });
    for (let i = 0; i < 10; i++) await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    const refused = await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    clock.advance(59_000);
    const stillRefused = await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect(stillRefused.headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    const body = await tokenInfo(sandbox);
    expect(body.last_minute_bucket_value).toBe(0);
  });

  it('keeps /test and the key routes outside the buckets', async () => {
    for (let i = 0; i < 10; i++) await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(200);
    expect((await call(sandbox, 'PUT', '/v1/token/disable', { key: SEED_API_KEY })).status).toBe(204);
    expect((await call(sandbox, 'PUT', '/v1/token/enable', { key: SEED_API_KEY })).status).toBe(204);
    expect((await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY })).status).toBe(200);
    expect(emulator.user(SEED_USER_ID).month.used).toBe(10);
  });
});

describe('monthly bucket', () => {
  it('answers 429 until 30 days after registration, then starts again at 0', async () => {
    emulator.setLimits(SEED_USER_ID, { month: 3 });
    for (let i = 0; i < 3; i++) await tokenInfo(sandbox);
    clock.advance(DAY_MS);
    const refused = await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String((MONTH_MS - DAY_MS) / 1000));
    expectProblem(refused.body, 'error-too-many-requests');
    expect(emulator.user(SEED_USER_ID).month.used).toBe(3);

    clock.set(START + MONTH_MS);
    const body = await tokenInfo(sandbox);
    expect(body.last_month_bucket_value).toBe(0);
    expect(body.last_month_bucket_refresh).toBe(START + 2 * MONTH_MS);
  });

  it('anchors the period at registration, not at the first call', async () => {
    clock.advance(45 * DAY_MS);
    const body = await tokenInfo(sandbox);
    expect(body.last_month_bucket_refresh).toBe(START + 60 * DAY_MS);
  });
});

describe('GET /v1/token/activity', () => {
  it('lists the key activity newest first, with the documented fields', async () => {
    await call(sandbox, 'PUT', '/v1/token/disable', { key: SEED_API_KEY, headers: { 'user-agent': 'jest-agent' } });
    const res = await call(sandbox, 'GET', '/v1/token/activity?page=1&page_size=20', { key: SEED_API_KEY });
    expect(res.status).toBe(401); // a disabled key cannot read activity
    await call(sandbox, 'PUT', '/v1/token/enable', { key: SEED_API_KEY });
    const ok = await call(sandbox, 'GET', '/v1/token/activity?page=1&page_size=2', { key: SEED_API_KEY });
    expect(ok.status).toBe(200);
    const body = ok.body as { self: string; page: number; page_size: number; activities: Record<string, unknown>[] };
    expect(body.page).toBe(1);
    expect(body.page_size).toBe(2);
    expect(body.self).toBe('/v1/token/activity?page=1&page_size=2');
    expect(body.activities.map((a) => a.event)).toEqual(['TOKEN_ENABLED', 'TOKEN_DISABLED']);
    expect(body.activities[1]).toEqual({
      self: expect.stringMatching(/^\/v1\/token\/activity\/[0-9A-Za-z]{16}$/),
      event: 'TOKEN_DISABLED',
      description: expect.any(String),
      data: {},
      source: { address: '127.0.0.1', ua_string: 'jest-agent', status_code: 204, uri: '/v1/token/disable', body: '', method: 'PUT' },
      created_at: START,
    });
    const page2 = await call(sandbox, 'GET', '/v1/token/activity?page=2&page_size=2', { key: SEED_API_KEY });
    expect((page2.body as { activities: { event: string }[] }).activities.map((a) => a.event)).toEqual(['TOKEN_CREATED']);
  });

  it.each([
    ['page=0', ['query', 'page'], 'value_error.number.not_ge'],
    ['page_size=101', ['query', 'page_size'], 'value_error.number.not_le'],
    ['page=abc', ['query', 'page'], 'type_error.integer'],
  ])('rejects %s with FastAPI 422 and still counts the call', async (query, loc, type) => {
    const res = await call(sandbox, 'GET', `/v1/token/activity?${query}`, { key: SEED_API_KEY });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [expect.objectContaining({ loc, msg: expect.any(String), type })] });
    expect(emulator.user(SEED_USER_ID).month.used).toBe(1);
    expect(emulator.user(SEED_USER_ID).minute.used).toBe(1);
  });
});

describe('key lifecycle (PROPOSED routes)', () => {
  it('regenerates: a new key of the documented shape, the old one answers 401, still one key per user', async () => {
    await tokenInfo(sandbox);
    const res = await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY });
    expect(res.status).toBe(200);
    const body = res.body as Record<string, unknown>;
    const fresh = body.api_key as string;
    expect(fresh).toMatch(KEY_PATTERN);
    expect(fresh).not.toBe(SEED_API_KEY);
    expect(body.self).toBe(`/v1/token/${fresh}`);
    expect(body.status).toBe('ENABLED');
    // The quota belongs to the user: regenerating does not reset it.
    expect(body.last_month_bucket_value).toBe(1);

    const old = await call(sandbox, 'GET', '/test', { key: SEED_API_KEY });
    expect(old.status).toBe(401);
    expectProblem(old.body, 'error-unauthorized', DETAIL_UNKNOWN);
    expect((await call(sandbox, 'GET', '/test', { key: fresh })).status).toBe(200);
    const state = emulator.snapshot();
    expect(state.users).toHaveLength(1);
    expect(state.users[0]!.key.value).toBe(fresh);
  });

  it('disables: the key answers 401 except on GET /v1/token (status DISABLED) and enable/disable', async () => {
    clock.advance(5_000);
    expect((await call(sandbox, 'PUT', '/v1/token/disable', { key: SEED_API_KEY })).status).toBe(204);
    const test = await call(sandbox, 'GET', '/test', { key: SEED_API_KEY });
    expect(test.status).toBe(401);
    expectProblem(test.body, 'error-unauthorized', DETAIL_DISABLED);
    expect((await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY })).status).toBe(401);
    const info = await tokenInfo(sandbox);
    expect(info.status).toBe('DISABLED');
    expect(info.updated_at).toBe(START + 5_000);
    // Idempotent.
    expect((await call(sandbox, 'PUT', '/v1/token/disable', { key: SEED_API_KEY })).status).toBe(204);

    const enabled = await call(sandbox, 'PUT', '/v1/token/enable', { key: SEED_API_KEY });
    expect(enabled.status).toBe(204);
    expect(enabled.text).toBe('');
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(200);
    expect((await tokenInfo(sandbox)).status).toBe('ENABLED');
  });

  it('requires the documented methods (the sandbox answers 405 otherwise)', async () => {
    expect((await call(sandbox, 'GET', '/v1/token/regenerate', { key: SEED_API_KEY })).status).toBe(405);
    expect((await call(sandbox, 'POST', '/v1/token/disable', { key: SEED_API_KEY })).status).toBe(405);
    expect((await call(sandbox, 'DELETE', '/v1/token', { key: SEED_API_KEY })).status).toBe(405);
    expect((await call(sandbox, 'GET', '/v1/tokens', { key: SEED_API_KEY })).status).toBe(404);
  });
});

describe('state', () => {
  it('round-trips snapshot → restore, and reset brings the seed back', async () => {
    await tokenInfo(sandbox);
    const snap = emulator.snapshot();
    const res = await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY });
    const fresh = (res.body as { api_key: string }).api_key;
    emulator.restore(snap);
    expect(emulator.snapshot()).toEqual(snap);
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/test', { key: fresh })).status).toBe(401);

    await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY });
    emulator.reset();
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(200);
    expect(emulator.user(SEED_USER_ID).month.used).toBe(0);
  });

  it.each([
    ['not an object', 42],
    ['a wrong version', { version: 2, users: [] }],
    ['a malformed key', { version: 1, users: [{ ...seedUser(), key: { ...seedUser().key, value: 'tja_short' } }] }],
    ['a key held twice', { version: 1, users: [seedUser(), { ...seedUser(), id: 'other' }] }],
    ['an unknown status', { version: 1, users: [{ ...seedUser(), key: { ...seedUser().key, status: 'REVOKED' } }] }],
    ['fractional counters', { version: 1, users: [{ ...seedUser(), month: { periodStart: START, used: 1.5 } }] }],
  ])('restore throws on %s', (_what, doc) => {
    expect(() => emulator.restore(doc)).toThrow(/threatjammer state/);
  });

  it('rejects a nonsense document through the control surface with 400 and keeps the old state', async () => {
    const res = await fetch(`${sandbox.baseUrl}/__sandbox/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ threatjammer: { version: 1, users: 'nope' } }),
    });
    expect(res.status).toBe(400);
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(200);
  });

  it('reads windows from the sandbox clock moved through the control surface', async () => {
    const real = await Sandbox.start({ emulators: [createThreatJammerEmulator] });
    try {
      // No refill: a slow machine taking over a second for these calls must not change the outcome.
      real.emulator<ThreatJammerEmulator>('threatjammer').setLimits(SEED_USER_ID, { refillRatio: 0 });
      for (let i = 0; i < 10; i++) await call(real, 'GET', '/v1/token', { key: SEED_API_KEY });
      expect((await call(real, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(429);
      const moved = await fetch(`${real.baseUrl}/__sandbox/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 60 }),
      });
      expect(moved.status).toBe(200);
      expect((await call(real, 'GET', '/v1/token', { key: SEED_API_KEY })).status).toBe(200);
      expect(real.calls('threatjammer').map((c) => c.status)).toEqual([...Array(10).fill(200), 429, 200]);
    } finally {
      await real.close();
    }
  });
});

function seedUser(): ThreatJammerState['users'][number] {
  return seedState(START).users[0]!;
}
