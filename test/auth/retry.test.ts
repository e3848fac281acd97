import { Readable } from 'stream';
import { Agent, type Dispatcher } from 'undici';

import { ManualClock } from '../../src/core/clock';
import { APIACCESS_ABORTED, APIACCESS_INVALID_ARGUMENT } from '../../src/core/errors';
import {
  createDefaultRetryPolicy,
  createRetryInterceptor,
  IDEMPOTENT_HEADER,
  parseRetryAfter,
  type RetryContext,
  type RetryOptions,
} from '../../src/auth/retry';
import { destroySocket, flush, reply, ScriptedServer, sleepers } from './_server';

const NOW = Date.UTC(2026, 0, 1);

describe('parseRetryAfter', () => {
  it('reads delay-seconds, HTTP dates and rejects anything else', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 1.5 ', NOW)).toBe(1500);
    expect(parseRetryAfter(['7', '9'], NOW)).toBe(7000);
    expect(parseRetryAfter(new Date(NOW + 10_000).toUTCString(), NOW)).toBe(10_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('-1', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('2026-01-01', NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
  });
});

describe('createDefaultRetryPolicy', () => {
  const ctx = (over: Partial<RetryContext>): RetryContext => ({ method: 'GET', idempotent: true, retryCount: 0, nowMs: NOW, statusCode: 503, ...over });

  it('waits a capped exponential backoff with full jitter', () => {
    const highest = createDefaultRetryPolicy({ random: () => 0.999999, maxRetries: 10 });
    expect([0, 1, 2, 3, 4, 5, 6].map((retryCount) => highest(ctx({ retryCount })))).toEqual([249, 499, 999, 1999, 3999, 7999, 7999]);
    const lowest = createDefaultRetryPolicy({ random: () => 0 });
    expect(lowest(ctx({ retryCount: 2 }))).toBe(0);
  });

  it('honours Retry-After clamped to maxRetryAfterMs, and only for retryable answers', () => {
    const policy = createDefaultRetryPolicy({ random: () => 0.5 });
    expect(policy(ctx({ statusCode: 429, headers: { 'retry-after': '2' } }))).toBe(2000);
    expect(policy(ctx({ statusCode: 429, headers: { 'retry-after': '3600' } }))).toBe(60_000);
    expect(policy(ctx({ statusCode: 500 }))).toBeNull();
    expect(policy(ctx({ statusCode: 503, idempotent: false }))).toBeNull();
    expect(policy(ctx({ statusCode: 503, retryCount: 3 }))).toBeNull();
    expect(policy(ctx({ statusCode: undefined, error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(125);
    expect(policy(ctx({ statusCode: undefined, error: Object.assign(new Error('denied'), { code: 'EACCES' }) }))).toBeNull();
  });
});

describe('createRetryInterceptor', () => {
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

  const client = (options: RetryOptions = {}): Dispatcher => agent.compose(createRetryInterceptor({ clock, random: () => 0, ...options }));
  const send = async (d: Dispatcher, opts: Partial<Dispatcher.RequestOptions> = {}): Promise<{ status: number; text: string }> => {
    const res = await d.request({ origin: (server as ScriptedServer).url, path: '/api-clients', method: 'GET', ...opts });
    return { status: res.statusCode, text: await res.body.text() };
  };

  it('honours Retry-After in seconds', async () => {
    // GIVEN a vendor that says "come back in 7 s" once
    server = await ScriptedServer.start([reply(429, 'slow down', { 'retry-after': '7' }), reply(200, 'ok')]);

    // WHEN a GET goes out
    const pending = send(client());
    await sleepers(clock);

    // THEN nothing is re-sent before 7 s of clock time, and the retry's answer is what the caller gets
    clock.advance(6999);
    await flush();
    expect(server.requests).toHaveLength(1);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    await expect(pending).resolves.toEqual({ status: 200, text: 'ok' });
    server.assertDone();
  });

  it('honours Retry-After as an HTTP date', async () => {
    server = await ScriptedServer.start([reply(503, '', { 'retry-after': new Date(NOW + 20_000).toUTCString() }), reply(200, 'ok')]);

    const pending = send(client());
    await sleepers(clock);
    clock.advance(19_999);
    await flush();
    expect(server.requests).toHaveLength(1);
    clock.advance(1);

    await expect(pending).resolves.toEqual({ status: 200, text: 'ok' });
    server.assertDone();
  });

  it('clamps a long Retry-After to maxRetryAfterMs', async () => {
    server = await ScriptedServer.start([reply(429, '', { 'retry-after': '86400' }), reply(200, 'ok')]);

    const pending = send(client({ maxRetryAfterMs: 5000 }));
    await sleepers(clock);
    clock.advance(5000);

    await expect(pending).resolves.toEqual({ status: 200, text: 'ok' });
    expect(clock.now()).toBe(NOW + 5000);
    server.assertDone();
  });

  it('gives up after maxRetries and delivers the last 429 as it came', async () => {
    server = await ScriptedServer.start([1, 2, 3, 4].map((n) => reply(429, `attempt ${n}`, { 'retry-after': '1' })));

    const pending = send(client({ maxRetries: 3 }));
    for (let i = 0; i < 3; i += 1) {
      await sleepers(clock);
      clock.advance(1000);
    }

    await expect(pending).resolves.toEqual({ status: 429, text: 'attempt 4' });
    expect(clock.pending).toBe(0);
    server.assertDone();
  });

  it('does not retry a POST on 503', async () => {
    server = await ScriptedServer.start([reply(503, 'busy')]);

    const result = await send(client(), { method: 'POST', body: '{"name":"ci"}' });

    expect(result).toEqual({ status: 503, text: 'busy' });
    expect(clock.pending).toBe(0);
    server.assertDone();
  });

  it('retries a POST marked idempotent, sends the same body twice and never sends the marker', async () => {
    server = await ScriptedServer.start([reply(503, 'busy'), reply(201, 'created')]);

    const result = await send(client(), {
      method: 'POST',
      body: '{"name":"ci"}',
      headers: { [IDEMPOTENT_HEADER]: 'true', 'content-type': 'application/json' },
    });

    expect(result).toEqual({ status: 201, text: 'created' });
    server.assertDone();
    expect(server.requests.map((r) => r.body)).toEqual(['{"name":"ci"}', '{"name":"ci"}']);
    expect(server.requests.map((r) => r.headers[IDEMPOTENT_HEADER])).toEqual([undefined, undefined]);
  });

  it('does not retry a GET marked not idempotent', async () => {
    server = await ScriptedServer.start([reply(503, 'busy')]);

    await expect(send(client(), { headers: { [IDEMPOTENT_HEADER]: 'false' } })).resolves.toEqual({ status: 503, text: 'busy' });
    server.assertDone();
  });

  it('rejects a marker that is neither true nor false', async () => {
    server = await ScriptedServer.start([]);

    await expect(send(client(), { headers: { [IDEMPOTENT_HEADER]: 'yes' } })).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
    server.assertDone();
  });

  it('retries a GET after the server destroys the socket', async () => {
    server = await ScriptedServer.start([destroySocket(), reply(200, 'ok')]);

    await expect(send(client())).resolves.toEqual({ status: 200, text: 'ok' });
    server.assertDone();
  });

  it('does not retry a POST after the server destroys the socket', async () => {
    server = await ScriptedServer.start([destroySocket()]);

    await expect(send(client(), { method: 'POST', body: 'x' })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    server.assertDone();
  });

  it('does not retry a request whose body is a stream (it cannot be sent twice)', async () => {
    server = await ScriptedServer.start([reply(503, 'busy')]);

    await expect(send(client(), { method: 'PUT', body: Readable.from([Buffer.from('payload')]) })).resolves.toEqual({ status: 503, text: 'busy' });
    server.assertDone();
  });

  it('rejects with APIACCESS_ABORTED when aborted during a backoff wait, without waiting it out', async () => {
    server = await ScriptedServer.start([reply(503, 'busy', { 'retry-after': '30' })]);
    const controller = new AbortController();

    const pending = send(client(), { signal: controller.signal });
    await sleepers(clock);
    controller.abort();

    // The clock never moves, so the rejection cannot come from the 30 s wait running out.
    await expect(pending).rejects.toMatchObject({ code: APIACCESS_ABORTED });
    expect(clock.pending).toBe(0);
    server.assertDone();
  });

  it('streams a large body after a retry, with backpressure across the attempt switch', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'abcdefghij');
    server = await ScriptedServer.start([reply(503, 'busy'), (_req, res) => (res.writeHead(200, { 'content-length': String(big.length) }), res.end(big))]);

    const res = await client().request({ origin: server.url, path: '/export', method: 'GET', highWaterMark: 1024 });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    expect(res.statusCode).toBe(200);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    server.assertDone();
  });

  it('never retries once the answer was handed to the caller (a body cut short is an error)', async () => {
    server = await ScriptedServer.start([
      (_req, res, raw) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('0123456789', () => setTimeout(() => raw.socket.destroy(), 20));
      },
    ]);

    const res = await client().request({ origin: server.url, path: '/export', method: 'GET' });

    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    server.assertDone();
  });

  it('lets a custom policy decide, within the maxRetries cap', async () => {
    server = await ScriptedServer.start([reply(500, 'a'), reply(500, 'b'), reply(500, 'c')]);
    const seen: RetryContext[] = [];

    const result = await send(client({ maxRetries: 2, shouldRetry: (ctx) => (seen.push(ctx), 0) }));

    expect(result).toEqual({ status: 500, text: 'c' });
    expect(seen.map((c) => [c.statusCode, c.retryCount, c.method, c.idempotent])).toEqual([
      [500, 0, 'GET', true],
      [500, 1, 'GET', true],
    ]);
    server.assertDone();
  });
});
