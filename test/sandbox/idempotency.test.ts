/**
 * Issue 6: the Idempotency-Key contract of src/sandbox/idempotency.ts, over HTTP through a fake
 * vendor (replay, 422, 409 in flight, 5xx release, 24 h expiry on the sandbox clock, bad keys,
 * reset, the listing) and directly on the store (scope, the key bound).
 */
import { IDEMPOTENCY_RETENTION_MS, IdempotencyStore, MAX_IDEMPOTENCY_KEYS } from '../../src/sandbox/idempotency';
import type { SandboxRequest } from '../../src/sandbox/types';
import { call, closeAll, parseRaw, rawSocket, startShaped } from './_fake';

afterEach(closeAll);

const post = (sandbox: Parameters<typeof call>[0], body: string, key?: string, path = '/fake/items') =>
  call(sandbox, 'POST', path, { body, headers: { 'content-type': 'text/plain', ...(key === undefined ? {} : { 'idempotency-key': key }) } });

describe('issue 6: Idempotency-Key over HTTP', () => {
  it('without a key every request creates', async () => {
    const { sandbox, fake } = await startShaped();
    expect((await post(sandbox, 'x')).status).toBe(201);
    expect((await post(sandbox, 'x')).status).toBe(201);
    expect(fake.created).toHaveLength(2);
  });

  it('replays the first answer byte for byte (secret included) with Idempotent-Replayed: true, and creates nothing more', async () => {
    const { sandbox, fake } = await startShaped();
    const first = await post(sandbox, 'payload', 'key-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(sandbox, 'payload', 'key-1');
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((again.body as { secret: string }).secret).toBe((first.body as { secret: string }).secret);
    expect(fake.created).toHaveLength(1);
    expect(fake.routeCalls).toBe(1);
  });

  it('answers 422 in the vendor shape to the same key with another body or query, and nothing happens', async () => {
    const { sandbox, fake } = await startShaped();
    await post(sandbox, 'one', 'key-2');
    const other = await post(sandbox, 'two', 'key-2');
    expect(other.status).toBe(422);
    expect(other.body).toEqual({ fault: { status: 422, text: expect.stringContaining('Idempotency-Key') } });
    expect((await post(sandbox, 'one', 'key-2', '/fake/items?dry=1')).status).toBe(422);
    expect(fake.routeCalls).toBe(1);
  });

  it('answers 409 with Retry-After: 1 while the first request is in flight, then replays once it is done', async () => {
    const { sandbox, fake } = await startShaped();
    const hold = fake.idempotency.holdNext();
    const first = post(sandbox, 'slow', 'key-3');
    await hold.reached;
    const busy = await post(sandbox, 'slow', 'key-3');
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body).toEqual({ fault: { status: 409, text: expect.stringContaining('in progress') } });
    expect((await call(sandbox, 'GET', '/__sandbox/idempotency')).body).toEqual({
      fake: [{ key: 'key-3', method: 'POST', path: '/items', status: 0, at: expect.any(String) }],
    });
    hold.release();
    expect((await first).status).toBe(201);
    expect((await post(sandbox, 'slow', 'key-3')).headers.get('idempotent-replayed')).toBe('true');
    expect(fake.created).toHaveLength(1);
  });

  it.each([
    ['a 5xx answer', 503, 503],
    ['a route that throws', 'throw' as const, 500],
  ])('%s releases the key: the next request with it runs again', async (_what, failure, status) => {
    const { sandbox, fake } = await startShaped();
    fake.failNext.push(failure);
    expect((await post(sandbox, 'p', 'key-4')).status).toBe(status);
    const retry = await post(sandbox, 'p', 'key-4');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect((await post(sandbox, 'p', 'key-4')).headers.get('idempotent-replayed')).toBe('true');
    expect(fake.created).toHaveLength(1);
    expect(fake.routeCalls).toBe(2);
  });

  it('stores a 4xx answer like any other below 500', async () => {
    const { sandbox, fake } = await startShaped();
    fake.failNext.push(409);
    expect((await post(sandbox, 'p', 'key-4xx')).status).toBe(409);
    const again = await post(sandbox, 'p', 'key-4xx');
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.routeCalls).toBe(1);
  });

  it('keeps an answer for 24 h of the sandbox clock, then forgets the key', async () => {
    const { sandbox, fake } = await startShaped();
    await post(sandbox, 'p', 'key-5');
    await call(sandbox, 'POST', '/__sandbox/clock', { body: JSON.stringify({ advanceSeconds: IDEMPOTENCY_RETENTION_MS / 1000 - 60 }) });
    expect((await post(sandbox, 'p', 'key-5')).headers.get('idempotent-replayed')).toBe('true');
    await call(sandbox, 'POST', '/__sandbox/clock', { body: JSON.stringify({ advanceSeconds: 61 }) });
    const fresh = await post(sandbox, 'p', 'key-5');
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(fake.created).toHaveLength(2);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'two words'],
    ['256 characters', 'k'.repeat(256)],
    ['non-ASCII', 'cl\u00e9'],
    ['a tab inside', 'a\tb'],
  ])('answers 400 in the vendor shape naming the header to a key that is %s', async (_what, key) => {
    const { sandbox, fake } = await startShaped();
    const res = await post(sandbox, 'p', key);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ fault: { status: 400, text: expect.stringContaining('Idempotency-Key') } });
    expect(fake.routeCalls).toBe(0);
  });

  it('accepts a 255-character key of every visible ASCII character', async () => {
    const { sandbox } = await startShaped();
    const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    const key = visible.repeat(3).slice(0, 255);
    expect((await post(sandbox, 'p', key)).status).toBe(201);
    expect((await post(sandbox, 'p', key)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('POST /__sandbox/reset forgets every key; the keys are not part of /__sandbox/state; the listing has no bodies', async () => {
    const { sandbox, fake } = await startShaped();
    const first = await post(sandbox, 'p', 'key-6');
    const listing = await call(sandbox, 'GET', '/__sandbox/idempotency');
    expect(listing.body).toEqual({ fake: [{ key: 'key-6', method: 'POST', path: '/items', status: 201, at: expect.any(String) }] });
    expect(listing.text).not.toContain((first.body as { secret: string }).secret);
    expect((await call(sandbox, 'GET', '/__sandbox/state')).text).not.toContain('key-6');
    expect((await call(sandbox, 'POST', '/__sandbox/reset')).status).toBe(200);
    expect((await call(sandbox, 'GET', '/__sandbox/idempotency')).body).toEqual({ fake: [] });
    expect((await post(sandbox, 'p', 'key-6')).headers.get('idempotent-replayed')).toBeNull();
    expect(fake.routeCalls).toBe(2);
  });

  it('processes and stores a request whose client left after sending the whole body', async () => {
    const { sandbox, fake } = await startShaped();
    const hold = fake.idempotency.holdNext();
    const { socket, closed } = await rawSocket(sandbox);
    const { host } = new URL(sandbox.baseUrl);
    socket.write(`POST /fake/items HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nIdempotency-Key: key-7\r\nContent-Length: 4\r\n\r\nbody`);
    await hold.reached;
    socket.destroy();
    await closed;
    hold.release();
    const replay = await post(sandbox, 'body', 'key-7');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.created).toHaveLength(1);
  });

  it('a reset fault runs before the routes: the key is not stored and the retry creates', async () => {
    const { sandbox, fake } = await startShaped();
    await call(sandbox, 'POST', '/__sandbox/faults', { body: JSON.stringify({ vendor: 'fake', status: 'reset', count: 1 }) });
    await expect(post(sandbox, 'p', 'key-8')).rejects.toThrow();
    expect(fake.routeCalls).toBe(0);
    const retry = await post(sandbox, 'p', 'key-8');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('a raw replay is byte-identical on the wire (status line, headers, body) apart from Idempotent-Replayed and Date', async () => {
    const { sandbox } = await startShaped();
    const { host } = new URL(sandbox.baseUrl);
    const once = async (): Promise<string> => {
      const { socket, received, closed } = await rawSocket(sandbox);
      socket.write(`POST /fake/items HTTP/1.1\r\nHost: ${host}\r\nIdempotency-Key: key-9\r\nContent-Length: 1\r\nConnection: close\r\n\r\nz`);
      await closed;
      return received();
    };
    const strip = (t: string) => t.replace(/\r\ndate: [^\r]*/i, '').replace(/\r\nidempotent-replayed: true/i, '');
    const a = await once();
    const b = await once();
    expect(parseRaw(a).status).toBe(201);
    expect(parseRaw(b).headers).toContain('idempotent-replayed: true');
    expect(strip(b)).toBe(strip(a));
  });
});

describe('issue 6: the store on its own', () => {
  const req = (path: string, key: string, body = ''): SandboxRequest => ({
    method: 'POST',
    path,
    url: `http://127.0.0.1:1/v${path}`,
    urlAsSent: `http://127.0.0.1:1/v${path}`,
    rawQuery: '',
    query: new URLSearchParams(),
    headers: { 'idempotency-key': key },
    rawBody: Buffer.from(body),
    params: {},
    ip: '127.0.0.1',
  });
  const errorBody = (status: number, message: string) => ({ status, body: { message } });

  it('scopes a key per route path and per caller', async () => {
    let n = 0;
    const store = new IdempotencyStore({ now: () => 0, errorBody });
    const route = () => ({ status: 201, body: { n: ++n } });
    await store.run(req('/a', 'k'), 'alice', route);
    await store.run(req('/b', 'k'), 'alice', route);
    await store.run(req('/a', 'k'), 'bob', route);
    const replay = await store.run(req('/a', 'k'), 'alice', route);
    expect(n).toBe(3);
    expect(JSON.parse((replay.body as Buffer).toString('utf8'))).toEqual({ n: 1 });
  });

  it(`holds at most ${MAX_IDEMPOTENCY_KEYS} keys by default and drops the oldest beyond its bound`, async () => {
    expect(MAX_IDEMPOTENCY_KEYS).toBe(10_000);
    const store = new IdempotencyStore({ now: () => 0, errorBody, maxKeys: 3 });
    for (const k of ['k1', 'k2', 'k3', 'k4']) await store.run(req('/a', k), '', () => ({ status: 201 }));
    expect(store.list().map((r) => r.key)).toEqual(['k2', 'k3', 'k4']);
  });

  it('keeps the default store at 10,000 keys under load', async () => {
    const store = new IdempotencyStore({ now: () => 0, errorBody });
    for (let i = 0; i < MAX_IDEMPOTENCY_KEYS + 10; i++) await store.run(req('/a', `k${i}`), '', () => ({ status: 204 }));
    const keys = store.list();
    expect(keys).toHaveLength(MAX_IDEMPOTENCY_KEYS);
    expect(keys[0]!.key).toBe('k10');
  });
});
