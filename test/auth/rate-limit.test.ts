import { Agent } from 'undici';

import { ManualClock } from '../../src/core/clock';
import { APIACCESS_ABORTED, APIACCESS_INVALID_ARGUMENT } from '../../src/core/errors';
import {
  createRateLimitInterceptor,
  defaultLimiterRegistry,
  LimiterRegistry,
  limiterFor,
  limiterKey,
  SlidingWindowLimiter,
  TokenBucketLimiter,
} from '../../src/auth/rate-limit';
import { flush, reply, ScriptedServer, sleepers, waitUntil } from './_server';

const WINDOW = 300_000;

describe('SlidingWindowLimiter', () => {
  it('admits 100 callers against 25 per 300 s: never more than 25 in any window, the 100th at 3 windows, in call order', async () => {
    // GIVEN Carbon Black's budget and 100 concurrent callers
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new SlidingWindowLimiter({ limit: 25, windowMs: WINDOW, clock });
    const admitted: { caller: number; at: number }[] = [];
    const all = Promise.all(Array.from({ length: 100 }, (_, caller) => limiter.acquire().then(() => admitted.push({ caller, at: clock.now() }))));

    // WHEN the clock runs 15 minutes in 10 s steps
    for (let t = 0; t < 3 * WINDOW; t += 10_000) {
      await flush(1);
      clock.advance(10_000);
    }
    await all;

    // THEN callers were served first come first served, 25 per window, at exact window boundaries
    expect(admitted.map((a) => a.caller)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const at = admitted.map((a) => a.at - t0);
    expect(at.slice(0, 25)).toEqual(Array(25).fill(0));
    expect(at.slice(25, 50)).toEqual(Array(25).fill(WINDOW));
    expect(at.slice(50, 75)).toEqual(Array(25).fill(2 * WINDOW));
    expect(at.slice(75)).toEqual(Array(25).fill(3 * WINDOW));
    for (const start of at) {
      expect(at.filter((x) => x > start - WINDOW && x <= start).length).toBeLessThanOrEqual(25);
    }
  });

  it('drops an aborted waiter without spending its slot, and keeps the others in order', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock });
    await limiter.acquire();
    const b = new AbortController();
    const order: string[] = [];
    const pb = limiter.acquire(b.signal).then(
      () => order.push('b'),
      (e: unknown) => (order.push('b aborted'), e),
    );
    const pc = limiter.acquire().then(() => order.push(`c@${clock.now() - t0}`));
    const pd = limiter.acquire().then(() => order.push(`d@${clock.now() - t0}`));

    b.abort();
    await expect(pb).resolves.toMatchObject({ code: APIACCESS_ABORTED });
    clock.advance(1000);
    await pc;
    await flush();
    clock.advance(1000);
    await pd;

    expect(order).toEqual(['b aborted', 'c@1000', 'd@2000']);
  });

  it('validates its options', () => {
    expect(() => new SlidingWindowLimiter({ limit: 0, windowMs: 1000 })).toThrow(
      expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT, field: '"limit"' }),
    );
  });
});

describe('TokenBucketLimiter', () => {
  it('bursts to capacity, then refills at the given rate, capped at capacity', async () => {
    // Threat Jammer-like: 3 per burst, 30 per minute
    const clock = new ManualClock();
    const bucket = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 0.5, clock });
    await bucket.acquire();
    await bucket.acquire();
    await bucket.acquire();

    let fourth = false;
    const p4 = bucket.acquire().then(() => (fourth = true));
    await sleepers(clock);
    clock.advance(1999);
    await flush();
    expect(fourth).toBe(false);
    clock.advance(1);
    await p4;

    // 3 s later there are 1.5 tokens: one call now, the next after 1 s more
    clock.advance(3000);
    expect(bucket.available()).toBeCloseTo(1.5);
    await bucket.acquire();
    const t = clock.now();
    const p6 = bucket.acquire();
    await sleepers(clock);
    clock.advance(1000);
    await p6;
    expect(clock.now() - t).toBe(1000);

    clock.advance(600_000);
    expect(bucket.available()).toBe(3);
  });
});

describe('limiterFor', () => {
  let server: ScriptedServer | undefined;
  const agents: Agent[] = [];

  afterEach(async () => {
    defaultLimiterRegistry.clear();
    await Promise.all(agents.splice(0).map((a) => a.close()));
    await server?.close();
    server = undefined;
  });

  it('keys by credential without containing it', () => {
    const key = limiterKey('carbonblack', 'ORGKEY1', 'APIID1', 'super-secret-value');
    expect(key).toMatch(/^carbonblack:[0-9a-f]{32}$/);
    expect(key).not.toContain('super-secret-value');
    expect(limiterKey('carbonblack', 'ORGKEY1', 'APIID2')).not.toBe(key);
  });

  it('gives two clients with the same credential one limiter, so concurrent callers share one budget', async () => {
    // GIVEN two clients built separately for the same Carbon Black credential, budget 2 per 300 s
    const clock = new ManualClock();
    const key = limiterKey('carbonblack', 'ORGKEY1', 'APIID1');
    const make = (): SlidingWindowLimiter => new SlidingWindowLimiter({ limit: 2, windowMs: WINDOW, clock });
    const limiterA = limiterFor(key, make);
    const limiterB = limiterFor(key, make);
    expect(limiterB).toBe(limiterA);
    server = await ScriptedServer.start([reply(200, 'a1'), reply(200, 'b1'), reply(200, 'a2')]);
    const clientFor = (limiter: typeof limiterA) => {
      const agent = new Agent();
      agents.push(agent);
      return agent.compose(createRateLimitInterceptor(limiter));
    };
    const a = clientFor(limiterA);
    const b = clientFor(limiterB);
    const get = async (d: typeof a, path: string): Promise<number> => {
      const res = await d.request({ origin: (server as ScriptedServer).url, path, method: 'GET' });
      await res.body.text();
      return clock.now();
    };

    // WHEN they send three requests at once
    const sent = [get(a, '/a1'), get(b, '/b1'), get(a, '/a2')];
    await waitUntil(() => (server as ScriptedServer).requests.length === 2);
    await sleepers(clock);
    await flush();

    // THEN only two go out until the window has passed
    expect(server.requests.map((r) => r.url)).toEqual(['/a1', '/b1']);
    clock.advance(WINDOW);
    const times = await Promise.all(sent);
    expect(times[2] - times[0]).toBe(WINDOW);
    server.assertDone();
  });

  it('a registry of its own keeps tests apart from the process-wide one', () => {
    const registry = new LimiterRegistry();
    const mine = registry.get('k', () => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 }));
    expect(limiterFor('k', () => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 }))).not.toBe(mine);
  });
});

describe('createRateLimitInterceptor', () => {
  let server: ScriptedServer | undefined;
  let agent: Agent;

  beforeEach(() => {
    agent = new Agent();
  });
  afterEach(async () => {
    await agent.close();
    await server?.close();
    server = undefined;
  });

  it('fails a request aborted while it waits, and never sends it', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: WINDOW, clock });
    server = await ScriptedServer.start([reply(200, 'first')]);
    const dispatcher = agent.compose(createRateLimitInterceptor(limiter));
    const first = await dispatcher.request({ origin: server.url, path: '/first', method: 'GET' });
    expect(await first.body.text()).toBe('first');

    const controller = new AbortController();
    const second = dispatcher.request({ origin: server.url, path: '/second', method: 'GET', signal: controller.signal });
    await sleepers(clock);
    controller.abort();

    await expect(second).rejects.toMatchObject({ code: APIACCESS_ABORTED });
    clock.advance(WINDOW);
    await flush();
    server.assertDone();
  });

  it('waits for every limiter given (per-minute and per-day budgets together)', async () => {
    const clock = new ManualClock();
    const perMinute = new SlidingWindowLimiter({ limit: 10, windowMs: 60_000, clock });
    const perDay = new SlidingWindowLimiter({ limit: 1, windowMs: 86_400_000, clock });
    server = await ScriptedServer.start([reply(200), reply(200)]);
    const dispatcher = agent.compose(createRateLimitInterceptor([perMinute, perDay]));

    await (await dispatcher.request({ origin: server.url, path: '/1', method: 'GET' })).body.text();
    const second = dispatcher.request({ origin: server.url, path: '/2', method: 'GET' });
    await sleepers(clock);
    clock.advance(60_000);
    await flush();
    expect(server.requests).toHaveLength(1);
    clock.advance(86_400_000 - 60_000);
    await (await second).body.text();

    server.assertDone();
  });
});
