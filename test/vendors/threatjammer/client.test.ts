/**
 * ThreatJammerClient against the sandbox: success paths, each documented failure → its code,
 * messages without the key, the limiter (never over the per-minute bucket), Retry-After waits on
 * the movable clock, the monthly budget, and a regeneration whose answer is lost.
 */
import { Agent } from 'undici';

import type { HttpResponse } from '../../../src/auth/http';
import { LimiterRegistry } from '../../../src/auth/rate-limit';
import type { ManualClock } from '../../../src/core/clock';
import {
  APIACCESS_BAD_RESPONSE,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_RATE_LIMITED,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
} from '../../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../../src/core/redact';
import { Sandbox } from '../../../src/sandbox/server';
import type { EmulatorFactory } from '../../../src/sandbox/types';
import { processRegenerateResponse, processTokenResponse, ThreatJammerClient, type ThreatJammerClientConfig } from '../../../src/vendors/threatjammer/client';
import { createThreatJammerEmulator, KEY_PATTERN, MONTH_MS, SEED_USER_ID, type ThreatJammerEmulator } from '../../../src/vendors/threatjammer/emulator';
import { call, drive, SEED_API_KEY, START, startSandbox, waitUntil } from './_sandbox';
import { rejection } from '../../support/helpers';

let sandbox: Sandbox;
let clock: ManualClock;
let emulator: ThreatJammerEmulator;
let agent: Agent;

beforeEach(async () => {
  clearRegisteredSecrets();
  agent = new Agent();
  ({ sandbox, clock, emulator } = await startSandbox());
});
afterEach(async () => {
  await agent.close();
  await sandbox.close();
  clearRegisteredSecrets();
});

function client(overrides: Partial<ThreatJammerClientConfig> = {}, on: Sandbox = sandbox): ThreatJammerClient {
  return new ThreatJammerClient({
    apiKey: SEED_API_KEY,
    baseUrl: `${on.baseUrl}/threatjammer`,
    clock,
    dispatcher: agent,
    limiters: new LimiterRegistry(),
    ...overrides,
  });
}

/** No key (nor an 8-character piece of one) in the message or the enumerable fields. */
function expectNoSecret(err: ApiAccessError, ...keys: string[]): void {
  const visible = `${err.message} ${JSON.stringify(err)}`;
  for (const key of keys) for (let i = 4; i + 8 <= key.length; i++) expect(visible).not.toContain(key.slice(i, i + 8));
}

function journal(): string[] {
  return sandbox.calls('threatjammer').map((c) => `${c.method} ${c.path} ${c.status}`);
}

/** Out-of-band calls with the seed key, not through the client (someone else using the key). */
async function useUp(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await call(sandbox, 'GET', '/v1/token', { key: SEED_API_KEY });
}

describe('reading the key', () => {
  it('reads the key state and quotas as typed values', async () => {
    const token = await client().readToken();
    expect(token).toEqual({
      self: `/v1/token/${SEED_API_KEY}`,
      regionId: 'aws-eu-west-3',
      status: 'ENABLED',
      createdAtMs: START,
      updatedAtMs: START,
      month: { limit: 5000, used: 0, resetsAtMs: START + MONTH_MS },
      minute: { limit: 10, used: 0, resetsAtMs: START, refillPerSecond: 1 },
    });
    expect(journal()).toEqual(['GET /v1/token 200']);
  });

  it('learns the monthly budget from the report (the reading itself counted)', async () => {
    const c = client();
    expect(c.monthlyCallsLeft()).toBeUndefined();
    await c.readToken();
    expect(c.monthlyCallsLeft()).toBe(4999);
    expect(emulator.user(SEED_USER_ID).month.used).toBe(1);
  });

  it('tests the key with GET /test, outside the quota', async () => {
    await expect(client().test()).resolves.toBeUndefined();
    expect(journal()).toEqual(['GET /test 200']);
    expect(emulator.user(SEED_USER_ID).month.used).toBe(0);
  });

  it('lists activity, newest first', async () => {
    const page = await client().listActivity({ page: 1, pageSize: 5 });
    expect(page.page).toBe(1);
    expect(page.pageSize).toBe(5);
    expect(page.activities.map((a) => a.event)).toEqual(['TOKEN_CREATED']);
    expect(page.activities[0]!.createdAtMs).toBe(START);
  });
});

describe('key problems', () => {
  it('refuses a malformed key before sending anything, without echoing it', () => {
    const key = `${SEED_API_KEY.slice(0, 12)}%${SEED_API_KEY.slice(13)}`;
    let err: unknown;
    try {
      client({ apiKey: key });
    } catch (e) {
      err = e;
    }
    expect(ApiAccessError.isApiAccessError(err)).toBe(true);
    expect((err as ApiAccessError).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect((err as ApiAccessError).message).toMatch(/character 13/);
    expectNoSecret(err as ApiAccessError, key);
    expect(journal()).toEqual([]);
  });

  it('maps an unknown key to APIACCESS_UNAUTHORIZED with the vendor words and no key', async () => {
    const key = 'tja_UnknownKeyUnknownKeyUnknownKey000000';
    const err = await rejection(client({ apiKey: key }).readToken());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/401/);
    expect(err.message).toMatch(/unknown/);
    expectNoSecret(err, key);
  });

  it('maps a key of another region to APIACCESS_UNAUTHORIZED', async () => {
    const { apiKey } = emulator.addUser({ email: 'far@example.com', region: 'aws-us-east-1' });
    const err = await rejection(client({ apiKey }).test());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.message).toMatch(/another region/);
    expectNoSecret(err, apiKey);
  });

  it('disables and enables the key: a disabled key answers 401 but still reads its status', async () => {
    const c = client();
    await c.disableKey();
    const err = await rejection(c.test());
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.message).toMatch(/disabled/);
    expectNoSecret(err, SEED_API_KEY);
    expect((await rejection(c.listActivity())).code).toBe(APIACCESS_UNAUTHORIZED);
    expect((await c.readToken()).status).toBe('DISABLED');
    await c.enableKey();
    await expect(c.test()).resolves.toBeUndefined();
    expect((await c.readToken()).status).toBe('ENABLED');
  });
});

describe('regenerating the key', () => {
  it('returns the new key, uses it from then on, and the old key answers 401', async () => {
    const c = client();
    const out = await c.regenerateKey();
    expect(out.apiKey).toMatch(KEY_PATTERN);
    expect(out.apiKey).not.toBe(SEED_API_KEY);
    expect(out.token.status).toBe('ENABLED');
    expect(redact(`new ${out.apiKey}`)).toBe('new [REDACTED]');

    await expect(c.test()).resolves.toBeUndefined();
    const old = await rejection(client().test());
    expect(old.code).toBe(APIACCESS_UNAUTHORIZED);
    const users = emulator.snapshot().users;
    expect(users).toHaveLength(1);
    expect(users[0]!.key.value).toBe(out.apiKey);
  });

  it('after a lost answer (connection reset before the vendor acted), checks the old key and sends once more', async () => {
    const fault = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'threatjammer', status: 'reset', count: 1 }),
    });
    expect(fault.status).toBe(201);

    const out = await client().regenerateKey();

    expect(out.apiKey).toMatch(KEY_PATTERN);
    expect(journal()).toEqual(['POST /v1/token/regenerate 0', 'GET /test 200', 'POST /v1/token/regenerate 200']);
    const user = emulator.user(SEED_USER_ID);
    expect(user.key.value).toBe(out.apiKey);
    expect(user.activity.filter((a) => a.event === 'TOKEN_REGENERATED')).toHaveLength(1);
  });

  it('after a lost answer once the key was replaced, never regenerates twice and says where the key is', async () => {
    // GIVEN an emulator that replaces the key and then never answers
    let hung = false;
    const dropsAnswer: EmulatorFactory = (ctx) => {
      const e = createThreatJammerEmulator(ctx);
      const match = e.router.match.bind(e.router);
      e.router.match = (method, path) => {
        const m = match(method, path);
        if (!hung && m && 'handler' in m && method === 'POST' && path === '/v1/token/regenerate') {
          hung = true;
          return { ...m, handler: (req) => (void m.handler(req), new Promise(() => undefined)) };
        }
        return m;
      };
      return e;
    };
    const lossy = await Sandbox.start({ emulators: [dropsAnswer], clock });
    try {
      // WHEN the client regenerates with a short timeout
      const err = await rejection(client({ timeoutMs: 400 }, lossy).regenerateKey());

      // THEN it asked with the old key, did not send again, and tells what happened
      expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
      expect(err.message).toMatch(/API keys page/);
      expect(lossy.calls('threatjammer').map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual(['GET /test 401']);
      const users = lossy.emulator<ThreatJammerEmulator>('threatjammer').snapshot().users;
      expect(users).toHaveLength(1);
      expect(users[0]!.activity.filter((a) => a.event === 'TOKEN_REGENERATED')).toHaveLength(1);
    } finally {
      await lossy.close();
    }
  });
});

describe('rate limits', () => {
  it('waits out a 429 Retry-After on the movable clock, then succeeds', async () => {
    // GIVEN someone else filled the per-minute bucket (no refill: the vendor asks for 60 seconds)
    emulator.setLimits(SEED_USER_ID, { refillRatio: 0 });
    await useUp(10);

    // WHEN the client reads the token
    let settled = false;
    const reading = client()
      .readToken()
      .finally(() => {
        settled = true;
      });

    // THEN it got a 429 and sleeps 60 s on the clock; 59 s are not enough
    await waitUntil(() => clock.pending === 1);
    expect(journal().slice(10)).toEqual(['GET /v1/token 429']);
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    clock.advance(1_000);
    const token = await reading;
    expect(token.month.used).toBe(10);
    expect(journal().slice(10)).toEqual(['GET /v1/token 429', 'GET /v1/token 200']);
  });

  it('never exceeds the per-minute bucket in a burst: 10 at once, then one per refill second', async () => {
    const c = client();
    const burst = Promise.all(Array.from({ length: 25 }, () => c.readToken()));
    // Before the clock moves, exactly the bucket's 10 calls go out.
    await waitUntil(() => journal().length === 10 && clock.pending > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(journal()).toHaveLength(10);

    const tokens = await drive(clock, burst);

    expect(tokens).toHaveLength(25);
    expect(journal()).toEqual(Array(25).fill('GET /v1/token 200'));
    expect(Math.max(...tokens.map((t) => t.minute.used))).toBeLessThanOrEqual(9);
    expect(clock.now() - START).toBe(15_000);
  });

  it('with no refill, keeps to the bucket size in any minute', async () => {
    emulator.setLimits(SEED_USER_ID, { refillRatio: 0 });
    const c = client({ refillPerSecond: 0 });
    const burst = Promise.all(Array.from({ length: 15 }, () => c.readToken()));
    await waitUntil(() => journal().length === 10 && clock.pending > 0);
    const tokens = await drive(clock, burst, 5_000);
    expect(tokens).toHaveLength(15);
    expect(journal()).toEqual(Array(15).fill('GET /v1/token 200'));
    expect(clock.now() - START).toBe(60_000);
  });

  it('refuses locally once the reported monthly quota is used up, and again works after the reset', async () => {
    emulator.setLimits(SEED_USER_ID, { month: 3 });
    const c = client();
    for (let i = 0; i < 3; i++) await c.readToken();
    expect(c.monthlyCallsLeft()).toBe(0);

    const err = await rejection(c.readToken());
    expect(err.code).toBe(APIACCESS_RATE_LIMITED);
    expect(err.retryAfterSeconds).toBe(MONTH_MS / 1000);
    expect(journal()).toHaveLength(3);

    clock.set(START + MONTH_MS);
    expect((await c.readToken()).month.used).toBe(0);
  });

  it('reports a monthly 429 at once (no retry for days), then refuses locally', async () => {
    emulator.setLimits(SEED_USER_ID, { month: 2 });
    await useUp(2);
    const c = client();
    clock.advance(1_000);

    const err = await rejection(c.listActivity());
    expect(err.code).toBe(APIACCESS_RATE_LIMITED);
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBe(MONTH_MS / 1000 - 1);
    expectNoSecret(err, SEED_API_KEY);

    const again = await rejection(c.readToken());
    expect(again.code).toBe(APIACCESS_RATE_LIMITED);
    expect(journal()).toEqual(['GET /v1/token 200', 'GET /v1/token 200', 'GET /v1/token/activity 429']);
  });
});

describe('arguments and answers', () => {
  it('maps a 422 to APIACCESS_VENDOR_REJECTED naming the parameter (and the call was counted)', async () => {
    const err = await rejection(client().listActivity({ pageSize: 101 }));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.status).toBe(422);
    expect(err.field).toBe('page_size');
    expect(emulator.user(SEED_USER_ID).month.used).toBe(1);
  });

  it('checks page and pageSize locally before sending', async () => {
    expect((await rejection(client().listActivity({ page: 0 }))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect((await rejection(client().listActivity({ pageSize: 2.5 }))).code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect(journal()).toEqual([]);
  });

  it('retries a GET whose connection was reset', async () => {
    await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'threatjammer', status: 'reset', count: 1 }),
    });
    const token = await drive(clock, client().readToken(), 250);
    expect(token.status).toBe('ENABLED');
    expect(journal()).toEqual(['GET /v1/token 0', 'GET /v1/token 200']);
  });

  it('rejects answers that do not have the documented shape with APIACCESS_BAD_RESPONSE', () => {
    const answer = (status: number, body: unknown): HttpResponse => ({
      status,
      headers: { 'content-type': 'application/json' },
      text: JSON.stringify(body),
      json: <T>() => body as T,
    });
    const good = {
      self: '/v1/token/x',
      region_id: 'aws-eu-west-3',
      last_month_bucket_init_value: 5000,
      last_month_bucket_value: 1,
      last_month_bucket_refresh: 1644278400000,
      last_minute_bucket_init_value: 10,
      last_minute_bucket_refill_ratio: 1,
      last_minute_bucket_value: 0,
      last_minute_bucket_refresh: 1642504981000,
      status: 'ENABLED',
      created_at: 1636328648000,
      updated_at: 1642504981000,
    };
    expect(processTokenResponse(answer(200, good)).month.resetsAtMs).toBe(1644278400000);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as ApiAccessError).code;
      }
      return undefined;
    };
    expect(codeOf(() => processTokenResponse(answer(200, { ...good, last_month_bucket_value: 1.5 })))).toBe(APIACCESS_BAD_RESPONSE);
    expect(codeOf(() => processTokenResponse(answer(200, { ...good, status: 'REVOKED' })))).toBe(APIACCESS_BAD_RESPONSE);
    expect(codeOf(() => processTokenResponse(answer(200, [good])))).toBe(APIACCESS_BAD_RESPONSE);
    expect(codeOf(() => processRegenerateResponse(answer(200, { ...good, api_key: 'tja_short' })))).toBe(APIACCESS_BAD_RESPONSE);
    expect(codeOf(() => processTokenResponse(answer(429, { title: 'Too many requests' })))).toBe(APIACCESS_RATE_LIMITED);
  });
});
