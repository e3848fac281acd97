import { Agent, type Dispatcher } from 'undici';

import { ManualClock } from '../../src/core/clock';
import { composeDispatcher, INTERCEPTOR_ORDER } from '../../src/auth/compose';
import { normalizeHeaders, type Interceptor } from '../../src/auth/dispatch-utils';
import { createHeaderTokenInterceptor } from '../../src/auth/header-token';
import { createRateLimitInterceptor, SlidingWindowLimiter } from '../../src/auth/rate-limit';
import { createRetryInterceptor, IDEMPOTENT_HEADER } from '../../src/auth/retry';
import { flush, reply, ScriptedServer, sleepers } from './_server';

/** Records `name` each time a request passes, then hands over to `inner` (or straight on). */
function recording(log: string[], name: string, inner?: Interceptor): Interceptor {
  return (dispatch) => {
    const next = inner ? inner(dispatch) : dispatch;
    return (opts, handler) => {
      log.push(name);
      return next(opts, handler);
    };
  };
}

/** A stand-in signer: signs what it sees, with a fresh nonce per attempt. */
function fakeSigner(seen: Record<string, string | string[]>[]): Interceptor {
  let nonce = 0;
  return (dispatch) => (opts, handler) => {
    const headers = normalizeHeaders(opts.headers);
    seen.push(headers);
    nonce += 1;
    return dispatch({ ...opts, headers: { ...headers, 'x-signature': `sig(${opts.method} ${opts.path} ${headers['x-extra'] ?? '-'} n=${nonce})` } }, handler);
  };
}

describe('composeDispatcher', () => {
  let server: ScriptedServer | undefined;
  let agent: Agent;
  let clock: ManualClock;

  beforeEach(() => {
    agent = new Agent();
    clock = new ManualClock();
  });
  afterEach(async () => {
    await agent.close();
    await server?.close();
    server = undefined;
  });

  const get = async (d: Dispatcher, headers: Record<string, string> = {}, method: Dispatcher.HttpMethod = 'GET'): Promise<number> => {
    const res = await d.request({ origin: (server as ScriptedServer).url, path: '/api-keys', method, headers });
    await res.body.text();
    return res.statusCode;
  };

  it('calls retry first and auth last, and a retried request passes the limiter and the signer again', async () => {
    // GIVEN a vendor that is unavailable once, and every slot filled with a recording interceptor
    server = await ScriptedServer.start([reply(503, 'busy'), reply(200, 'ok')]);
    const log: string[] = [];
    const signed: Record<string, string | string[]>[] = [];
    const limiter = new SlidingWindowLimiter({ limit: 10, windowMs: 60_000, clock });
    const extra: Interceptor = (dispatch) => (opts, handler) =>
      dispatch({ ...opts, headers: { ...normalizeHeaders(opts.headers), 'x-extra': 'trace-1' } }, handler);
    const dispatcher = composeDispatcher(agent, {
      auth: recording(log, 'auth', fakeSigner(signed)),
      extra: recording(log, 'extra', extra),
      rateLimit: recording(log, 'rateLimit', createRateLimitInterceptor(limiter)),
      retry: recording(log, 'retry', createRetryInterceptor({ clock, random: () => 0 })),
    });

    // WHEN one GET is sent
    const status = await get(dispatcher);

    // THEN retry saw it once, the limiter and the signer once per attempt, in that order
    expect(status).toBe(200);
    expect(log).toEqual(['retry', 'rateLimit', 'extra', 'auth', 'rateLimit', 'extra', 'auth']);
    expect([...new Set(log)]).toEqual([...INTERCEPTOR_ORDER]);
    // the signer saw the request after extra changed it, and each attempt got a fresh signature
    expect(signed.map((h) => h['x-extra'])).toEqual(['trace-1', 'trace-1']);
    expect(server.requests.map((r) => r.headers['x-signature'])).toEqual(['sig(GET /api-keys trace-1 n=1)', 'sig(GET /api-keys trace-1 n=2)']);
    server.assertDone();
  });

  it('makes a retry wait for the rate limiter budget as well as for Retry-After', async () => {
    // GIVEN a budget of 1 call per 10 s and a vendor asking to retry after 1 s
    server = await ScriptedServer.start([reply(429, '', { 'retry-after': '1' }), reply(200, 'ok')]);
    const t0 = clock.now();
    const sentAt: number[] = [];
    const dispatcher = composeDispatcher(agent, {
      rateLimit: createRateLimitInterceptor(new SlidingWindowLimiter({ limit: 1, windowMs: 10_000, clock })),
      auth: (dispatch) => (opts, handler) => (sentAt.push(clock.now() - t0), dispatch(opts, handler)),
      retry: createRetryInterceptor({ clock }),
    });

    // WHEN the request is sent and Retry-After has passed
    const pending = get(dispatcher);
    await sleepers(clock);
    clock.advance(1000);
    await sleepers(clock);
    await flush();

    // THEN the retry is still held by the limiter until the window has passed
    expect(server.requests).toHaveLength(1);
    clock.advance(9000);
    await expect(pending).resolves.toBe(200);
    expect(sentAt).toEqual([0, 10_000]);
    server.assertDone();
  });

  it('signs with the header token innermost, on each attempt, and never lets the idempotency marker out', async () => {
    server = await ScriptedServer.start([reply(502), reply(201)]);
    const dispatcher = composeDispatcher(agent, {
      auth: createHeaderTokenInterceptor({ 'X-Auth-Token': 'CBSECRET9876/APIID1' }),
      retry: createRetryInterceptor({ clock, random: () => 0 }),
    });

    await expect(get(dispatcher, { [IDEMPOTENT_HEADER]: 'true' }, 'POST')).resolves.toBe(201);

    expect(server.requests.map((r) => [r.headers['x-auth-token'], r.headers[IDEMPOTENT_HEADER]])).toEqual([
      ['CBSECRET9876/APIID1', undefined],
      ['CBSECRET9876/APIID1', undefined],
    ]);
    server.assertDone();
  });

  it('removes the idempotency marker even without a retry interceptor', async () => {
    server = await ScriptedServer.start([reply(200)]);
    const dispatcher = composeDispatcher(agent, {});

    await expect(get(dispatcher, { [IDEMPOTENT_HEADER]: 'true' }, 'POST')).resolves.toBe(200);

    expect(server.requests[0].headers[IDEMPOTENT_HEADER]).toBeUndefined();
    server.assertDone();
  });
});
