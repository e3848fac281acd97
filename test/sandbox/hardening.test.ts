/**
 * Issue 6, hardened edges of the sandbox core: aborted and oversized bodies, strict clock and
 * fault requests, stacked faults, the core's own errors in the vendor's shape, URLs that never come
 * from the Host header, and the journal bound.
 */
import { request } from 'node:http';
import { MAX_BODY_BYTES, MAX_CONTROL_BODY_BYTES, MAX_JOURNAL_ENTRIES } from '../../src/sandbox/server';
import { call, closeAll, parseRaw, rawSocket, startShaped } from './_fake';

afterEach(closeAll);

const HOST_PORT = (baseUrl: string): string => new URL(baseUrl).host;

describe('issue 6: aborted bodies never crash the sandbox', () => {
  it('drops a request whose client disconnects after 10 of 1000 announced bytes, and keeps serving', async () => {
    const { sandbox, fake } = await startShaped();
    const { socket, closed } = await rawSocket(sandbox);
    socket.write(`POST /fake/items HTTP/1.1\r\nHost: ${HOST_PORT(sandbox.baseUrl)}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n0123456789`);
    socket.destroy();
    await closed;
    const after = await call(sandbox, 'GET', '/fake/items/1');
    expect(after.status).toBe(200);
    expect(fake.routeCalls).toBe(0);
    expect(fake.created).toEqual([]);
    expect(sandbox.journal.map((j) => `${j.method} ${j.path} ${j.status}`)).toEqual(['GET /items/1 200']);
  });

  it('drops a request whose connection is reset mid-body (TCP RST), and keeps serving', async () => {
    const { sandbox, fake } = await startShaped();
    const { socket, closed } = await rawSocket(sandbox);
    socket.write(`POST /fake/items HTTP/1.1\r\nHost: ${HOST_PORT(sandbox.baseUrl)}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`);
    await new Promise((r) => setImmediate(r));
    socket.resetAndDestroy();
    await closed;
    expect((await call(sandbox, 'POST', '/fake/items', { body: 'whole' })).status).toBe(201);
    expect(fake.routeCalls).toBe(1);
  });

  it('answers nothing to a request line that is not HTTP, and keeps serving', async () => {
    const { sandbox } = await startShaped();
    const { socket, closed } = await rawSocket(sandbox);
    socket.write('\x00\x01 garbage\r\n\r\n');
    await closed;
    expect((await call(sandbox, 'GET', '/fake/now')).status).toBe(200);
  });
});

describe('issue 6: the body limit (1 MiB)', () => {
  it('is 1 MiB', () => {
    expect(MAX_BODY_BYTES).toBe(1024 * 1024);
  });

  it('answers 413 in the vendor shape to a 20 MB chunked body, closes the connection, and keeps serving', async () => {
    const { sandbox, fake } = await startShaped();
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const { hostname, port } = new URL(sandbox.baseUrl);
      const req = request({ host: hostname, port, method: 'POST', path: '/fake/items', headers: { 'content-type': 'text/plain' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), connection: res.headers.connection }));
        res.on('error', reject);
      });
      req.on('error', () => undefined); // the server closes while we still write: expected
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 20 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ fault: { status: 413, text: `the request body is larger than ${MAX_BODY_BYTES} bytes` } });
    expect(fake.routeCalls).toBe(0);
    expect(sandbox.journal).toEqual([{ vendor: 'fake', method: 'POST', path: '/items', status: 413, unmatched: false }]);
    expect((await call(sandbox, 'GET', '/fake/now')).status).toBe(200);
  });

  it('answers 413 to Content-Length: 999999999 at once, without waiting for the body', async () => {
    const { sandbox, fake } = await startShaped();
    const { socket, received, closed } = await rawSocket(sandbox);
    socket.write(`POST /fake/items HTTP/1.1\r\nHost: ${HOST_PORT(sandbox.baseUrl)}\r\nContent-Length: 999999999\r\n\r\n`);
    // No body byte is ever sent: the answer and the close come from the header alone.
    await closed;
    const res = parseRaw(received());
    expect(res.status).toBe(413);
    expect(res.headers).toContain('connection: close');
    expect(res.body).toEqual({ fault: { status: 413, text: expect.stringContaining('larger than') } });
    expect(fake.routeCalls).toBe(0);
  });

  it('answers 413 with {"error"} on the control surface above its own 16 MiB limit', async () => {
    const { sandbox } = await startShaped();
    const { socket, received, closed } = await rawSocket(sandbox);
    socket.write(`PUT /__sandbox/state HTTP/1.1\r\nHost: ${HOST_PORT(sandbox.baseUrl)}\r\nContent-Length: ${MAX_CONTROL_BODY_BYTES + 1}\r\n\r\n`);
    await closed;
    expect(parseRaw(received())).toMatchObject({ status: 413, body: { error: expect.stringMatching(/^sandbox: /) } });
    expect(sandbox.journal).toEqual([]);
  });

  it('lets a state document larger than 1 MiB round-trip through the control surface', async () => {
    const { sandbox, fake } = await startShaped();
    const doc = { fake: { created: Array.from({ length: 30_000 }, (_, i) => `item-${i}-${'x'.repeat(40)}`) } };
    expect(JSON.stringify(doc).length).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await call(sandbox, 'PUT', '/__sandbox/state', { body: JSON.stringify(doc) });
    expect(res.status).toBe(200);
    expect(fake.created).toHaveLength(30_000);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const { sandbox, fake } = await startShaped();
    const res = await call(sandbox, 'POST', '/fake/items', { body: 'b'.repeat(MAX_BODY_BYTES) });
    expect(res.status).toBe(201);
    expect(fake.created).toHaveLength(1);
  });
});

describe("issue 6: the core's own answers use the vendor's error shape", () => {
  it('404 and 405 on the vendor prefix', async () => {
    const { sandbox } = await startShaped();
    const missing = await call(sandbox, 'GET', '/fake/nothing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/vnd.fake+json');
    expect(missing.body).toEqual({ fault: { status: 404, text: 'no route for GET /fake/nothing' } });
    const wrong = await call(sandbox, 'DELETE', '/fake/items/1');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.body).toEqual({ fault: { status: 405, text: 'DELETE is not allowed on /fake/items/1' } });
  });
});

describe('issue 6: clock requests are validated before they apply', () => {
  it.each([
    ['advanceSeconds 1e300', '{"advanceSeconds": 1e300}'],
    ['advanceSeconds -1e300', '{"advanceSeconds": -1e300}'],
    ['advanceSeconds "NaN"', '{"advanceSeconds": "NaN"}'],
    ['advanceSeconds "abc"', '{"advanceSeconds": "abc"}'],
    ['advanceSeconds null', '{"advanceSeconds": null}'],
    ['a move before 1970', '{"advanceSeconds": -100000000000}'],
    ['set beyond the last valid date', '{"set": "+275760-09-13T00:00:00.001Z"}'],
    ['set to the year 10000', '{"set": "+010000-01-01T00:00:00.000Z"}'],
    ['set before 1970', '{"set": "1969-12-31T23:59:59.999Z"}'],
    ['set to words', '{"set": "next tuesday"}'],
    ['set to a date without a time', '{"set": "2030-01-01"}'],
    ['set and advanceSeconds together', '{"set": "2030-01-01T00:00:00Z", "advanceSeconds": 1}'],
    ['an unknown field', '{"advanceMinutes": 1}'],
    ['nothing', '{}'],
    ['no body at all', ''],
  ])('answers 400 to %s, leaves the clock unchanged, and reset still works', async (_what, raw) => {
    const { sandbox } = await startShaped();
    await call(sandbox, 'POST', '/__sandbox/clock', { body: '{"advanceSeconds": 3600}', headers: { 'content-type': 'application/json' } });
    const before = sandbox.clock.now();
    const res = await call(sandbox, 'POST', '/__sandbox/clock', { body: raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^sandbox: clock: /) });
    expect(Math.abs(sandbox.clock.now() - before)).toBeLessThan(2_000);
    expect(sandbox.clock.now() - Date.now()).toBeGreaterThan(3_600_000 - 2_000);
    const reset = await call(sandbox, 'POST', '/__sandbox/reset');
    expect(reset.status).toBe(200);
    expect(Math.abs(sandbox.clock.now() - Date.now())).toBeLessThan(2_000);
  });

  it('accepts the range edges: set to 9999-12-31T23:59:59.999Z and to 1970-01-01T00:00:00Z', async () => {
    const { sandbox } = await startShaped();
    const late = await call(sandbox, 'POST', '/__sandbox/clock', { body: '{"set": "9999-12-31T23:59:59.999Z"}' });
    expect(late.status).toBe(200);
    expect((late.body as { now: string }).now.startsWith('9999-12-31T23:59:5')).toBe(true);
    const early = await call(sandbox, 'POST', '/__sandbox/clock', { body: '{"set": "1970-01-01T00:00:00+00:00"}' });
    expect(early.status).toBe(200);
    expect((early.body as { now: string }).now.startsWith('1970-01-01T00:00:0')).toBe(true);
    expect((await call(sandbox, 'POST', '/__sandbox/reset')).status).toBe(200);
  });
});

describe('issue 6: faults are validated strictly', () => {
  it.each([
    ['an unknown field', { vendor: 'fake', status: 503, latency: 10 }, 'latency'],
    ['a negative latency', { vendor: 'fake', latencyMs: -1 }, 'latencyMs'],
    ['a latency that is a string', { vendor: 'fake', status: 503, latencyMs: 'NaN' }, 'latencyMs'],
    ['a count of 0', { vendor: 'fake', status: 503, count: 0 }, 'count'],
    ['a fractional count', { vendor: 'fake', status: 503, count: 1.5 }, 'count'],
    ['a negative count', { vendor: 'fake', status: 503, count: -2 }, 'count'],
    ['a ratio above 1', { vendor: 'fake', status: 503, ratio: 1.5 }, 'ratio'],
    ['a negative ratio', { vendor: 'fake', status: 503, ratio: -0.1 }, 'ratio'],
    ['a ratio that is a string', { vendor: 'fake', status: 503, ratio: '0.5' }, 'ratio'],
    ['a fractional status', { vendor: 'fake', status: 503.5 }, 'status'],
  ])('answers 400 naming the field to %s and adds nothing', async (_what, json, field) => {
    const { sandbox } = await startShaped();
    const res = await call(sandbox, 'POST', '/__sandbox/faults', { body: JSON.stringify(json) });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toContain(`"${field}"`);
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [] });
  });
});

describe('issue 6: several faults for one vendor compose', () => {
  it('latencies add up, the first status/reset fault that fires decides, and counts drop only when a fault fires', async () => {
    // Rolls in order of consideration. Request 1: latency (0.0 fires), 503 (0.0 fires → decides; reset not rolled).
    // Request 2: latency, 503 is used up (not rolled), reset rolls 0.2 < 0.5 → connection reset.
    // Request 3: latency, reset rolls 0.7 → does not fire; the route runs after the latency.
    const rolls = [0, 0, 0, 0.2, 0, 0.7];
    const { sandbox, fake } = await startShaped({ random: () => rolls.shift() ?? 0.99 });
    const add = (json: unknown) => call(sandbox, 'POST', '/__sandbox/faults', { body: JSON.stringify(json) });
    expect((await add({ vendor: 'fake', latencyMs: 40 })).status).toBe(201);
    expect((await add({ vendor: 'fake', status: 503, count: 1 })).status).toBe(201);
    expect((await add({ vendor: 'fake', status: 'reset', ratio: 0.5 })).status).toBe(201);

    const first = await call(sandbox, 'POST', '/fake/items', { body: 'a' });
    expect(first.status).toBe(503);
    await expect(call(sandbox, 'POST', '/fake/items', { body: 'b' })).rejects.toThrow();
    const third = await call(sandbox, 'POST', '/fake/items', { body: 'c' });
    expect(third.status).toBe(201);
    expect(rolls).toEqual([]);
    expect(fake.created).toHaveLength(1);
    expect(sandbox.journal.map((j) => j.status)).toEqual([503, 0, 201]);
    const listed = (await call(sandbox, 'GET', '/__sandbox/faults')).body as { faults: { status: unknown; count?: number }[] };
    expect(listed.faults.map((f) => [f.status, f.count])).toEqual([
      [0, undefined],
      [503, 0],
      ['reset', undefined],
    ]);
  });

  it('a status fault that does not fire leaves the decision to the next one, and keeps its count', async () => {
    const rolls = [0.9, 0.1];
    const { sandbox } = await startShaped({ random: () => rolls.shift() ?? 0.99 });
    await call(sandbox, 'POST', '/__sandbox/faults', { body: JSON.stringify({ vendor: 'fake', status: 500, count: 1, ratio: 0.5 }) });
    await call(sandbox, 'POST', '/__sandbox/faults', { body: JSON.stringify({ vendor: 'fake', status: 429, ratio: 0.5 }) });
    expect((await call(sandbox, 'GET', '/fake/now')).status).toBe(429);
    const listed = (await call(sandbox, 'GET', '/__sandbox/faults')).body as { faults: { count?: number }[] };
    expect(listed.faults[0]!.count).toBe(1);
  });
});

describe('issue 6: URLs never come from the Host header', () => {
  it('gives routes a URL on the sandbox base URL even when Host says evil.example', async () => {
    const { sandbox } = await startShaped();
    const { socket, received } = await rawSocket(sandbox);
    socket.write('GET /fake/items/7?x=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
    await new Promise<void>((r) => socket.once('close', () => r()));
    expect(parseRaw(received()).body).toEqual({ id: '7', url: `${sandbox.baseUrl}/fake/items/7?x=1` });
  });
});

describe('issue 6: the journal is bounded', () => {
  it(`keeps the newest ${MAX_JOURNAL_ENTRIES} entries and drops the oldest`, async () => {
    const { sandbox } = await startShaped();
    for (let i = 0; i < MAX_JOURNAL_ENTRIES + 5; i++) sandbox.record('fake', 'GET', `/n/${i}`, 200, false);
    await call(sandbox, 'GET', '/fake/now');
    expect(sandbox.journal).toHaveLength(MAX_JOURNAL_ENTRIES);
    expect(sandbox.journal[0]!.path).toBe('/n/6');
    expect(sandbox.journal.at(-1)!.path).toBe('/now');
  });
});

describe('the base URL', () => {
  it('names the loopback address when the sandbox listens on the IPv4 wildcard', async () => {
    const { sandbox } = await startShaped({ host: '0.0.0.0' });
    expect(sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(sandbox, 'GET', '/fake/items/1')).body).toEqual({ id: '1', url: `${sandbox.baseUrl}/fake/items/1` });
  });
});
