/**
 * The sandbox core on its own, with a tiny fake emulator defined here: strict routing (404/405
 * recorded in the journal), the request as a route sees it, and every part of the control surface
 * under `/__sandbox/` (state, reset, journal, clock, caller IP, faults).
 */
import { isIP } from 'node:net';
import { Router } from '../../src/sandbox/router';
import { Sandbox, type SandboxOptions } from '../../src/sandbox/server';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse, VendorEmulator } from '../../src/sandbox/types';

interface FakeState {
  counter: number;
  items: string[];
}

const SEED: FakeState = { counter: 0, items: ['seed'] };

/** The fake vendor: a few routes under `/fake`, a JSON state, and counters of its lifecycle calls. */
class FakeEmulator implements VendorEmulator {
  readonly name = 'fake';
  readonly prefix = '/fake';
  readonly router = new Router();
  state: FakeState = structuredClone(SEED);
  resets = 0;
  restores = 0;
  /** Every request a route saw, as it saw it. */
  readonly seen: SandboxRequest[] = [];

  constructor(ctx: SandboxContext) {
    const echo = (req: SandboxRequest): SandboxResponse => {
      this.seen.push(req);
      return {
        status: 200,
        body: {
          method: req.method,
          path: req.path,
          url: req.url,
          rawQuery: req.rawQuery,
          query: [...req.query.entries()],
          headers: req.headers,
          rawBody: req.rawBody.toString('base64'),
          params: req.params,
          ip: req.ip,
        },
      };
    };
    this.router
      .get('/items/:id', echo)
      .put('/items/:id', echo)
      .post('/echo', echo)
      .post('/items', (req) => {
        this.seen.push(req);
        this.state.counter += 1;
        this.state.items.push(req.rawBody.toString('utf8'));
        return { status: 201, body: { counter: this.state.counter } };
      })
      .get('/now', () => ({ status: 200, body: { now: ctx.clock.now() } }))
      .get('/boom', () => {
        throw new Error('kaput');
      })
      .get('/boom-async', async () => {
        await Promise.resolve();
        throw new Error('async kaput');
      });
  }

  snapshot(): FakeState {
    return structuredClone(this.state);
  }

  restore(doc: unknown): void {
    const d = doc as FakeState;
    if (!d || typeof d !== 'object' || typeof d.counter !== 'number' || !Array.isArray(d.items)) throw new Error('fake state: needs counter and items');
    this.restores += 1;
    this.state = structuredClone(d);
  }

  reset(): void {
    this.resets += 1;
    this.state = structuredClone(SEED);
  }
}

const createFakeEmulator: EmulatorFactory = (ctx) => new FakeEmulator(ctx);

const started: Sandbox[] = [];

/** Starts a sandbox with only the fake emulator; afterEach closes it. */
async function start(options: Partial<SandboxOptions> = {}): Promise<{ sandbox: Sandbox; fake: FakeEmulator }> {
  const sandbox = await Sandbox.start({ emulators: [createFakeEmulator], ...options });
  started.push(sandbox);
  return { sandbox, fake: sandbox.emulator<FakeEmulator>('fake') };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** One HTTP call with global fetch; `json` is sent as application/json, `raw` as is. */
async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { json?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) body = options.raw;
  const res = await fetch(`${sandbox.baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

function journal(sandbox: Sandbox): string[] {
  return sandbox.journal.map((j) => `${j.vendor} ${j.method} ${j.path} ${j.status}${j.unmatched ? ' unmatched' : ''}`);
}

describe('routing: strict about what no route matches', () => {
  it('answers 404 JSON to an unmatched path below a vendor prefix and records it as unmatched', async () => {
    const { sandbox, fake } = await start();
    const res = await call(sandbox, 'GET', '/fake/nope/deeper');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'sandbox: no route for GET /fake/nope/deeper' });
    expect(sandbox.journal).toEqual([{ vendor: 'fake', method: 'GET', path: '/nope/deeper', status: 404, unmatched: true }]);
    expect(fake.seen).toHaveLength(0);
  });

  it('answers 404 to a path outside every vendor prefix and records it in the journal as unmatched', async () => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'GET', '/fakeish/items/1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'sandbox: no route for GET /fakeish/items/1' });
    // The module documents "an unmatched request is a 404 recorded in the journal, never a quiet success".
    expect(sandbox.journal).toEqual([expect.objectContaining({ method: 'GET', status: 404, unmatched: true })]);
  });

  it('answers 405 with Allow when only the method is wrong, and records it as unmatched', async () => {
    const { sandbox, fake } = await start();
    const res = await call(sandbox, 'DELETE', '/fake/items/7');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT');
    expect(res.body).toEqual({ error: 'sandbox: DELETE is not allowed on /fake/items/7' });
    expect(journal(sandbox)).toEqual(['fake DELETE /items/7 405 unmatched']);
    expect(fake.seen).toHaveLength(0);
  });

  it('matches the prefix as a whole segment only', async () => {
    const { sandbox } = await start();
    expect((await call(sandbox, 'GET', '/fake')).status).toBe(404);
    expect(journal(sandbox)).toEqual(['fake GET / 404 unmatched']);
  });
});

describe('the request as a route sees it', () => {
  it('passes method, path below the prefix, the exact URL and raw query, decoded params, lower-cased headers and the caller IP', async () => {
    const { sandbox, fake } = await start();
    const rawPathAndQuery = '/fake/items/a%20b%2Fc%2B?q=1%2B1&r=x+y&empty=&q=2';
    const res = await call(sandbox, 'GET', rawPathAndQuery, { headers: { 'X-Custom-Header': 'Mixed Case Value' } });
    expect(res.status).toBe(200);
    const seen = fake.seen[0]!;
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/items/a%20b%2Fc%2B');
    expect(seen.url).toBe(`${sandbox.baseUrl}${rawPathAndQuery}`);
    expect(seen.rawQuery).toBe('q=1%2B1&r=x+y&empty=&q=2');
    expect(seen.query.getAll('q')).toEqual(['1+1', '2']);
    expect(seen.query.get('r')).toBe('x y');
    expect(seen.params).toEqual({ id: 'a b/c+' });
    expect(seen.headers['x-custom-header']).toBe('Mixed Case Value');
    expect(Object.keys(seen.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(seen.ip).toBe('127.0.0.1');
    expect(journal(sandbox)).toEqual(['fake GET /items/a%20b%2Fc%2B 200']);
  });

  it('hands the route the exact body bytes, binary and CRLF included', async () => {
    const { sandbox, fake } = await start();
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x41, 0xc3, 0x28, 0x20, 0x20]);
    const res = await call(sandbox, 'POST', '/fake/echo', { raw: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(Buffer.compare(fake.seen[0]!.rawBody, bytes)).toBe(0);
    expect((res.body as { rawBody: string }).rawBody).toBe(bytes.toString('base64'));
  });

  it('gives an empty Buffer and an empty raw query when there are none', async () => {
    const { sandbox, fake } = await start();
    await call(sandbox, 'GET', '/fake/items/1');
    expect(fake.seen[0]!.rawBody.length).toBe(0);
    expect(fake.seen[0]!.rawQuery).toBe('');
  });

  it('answers 404 (not 500) to a parameter that is not valid percent-encoding', async () => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'GET', '/fake/items/%E0%A4%A');
    expect(res.status).toBe(404);
    expect(journal(sandbox)).toEqual(['fake GET /items/%E0%A4%A 404 unmatched']);
  });
});

describe('emulator errors', () => {
  it.each([
    ['a route that throws', '/fake/boom', 'sandbox: kaput'],
    ['a route whose promise rejects', '/fake/boom-async', 'sandbox: async kaput'],
  ])('answers 500 JSON to %s', async (_what, path, message) => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'GET', path);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: message });
  });

  it('records a call whose route threw in the journal with status 500', async () => {
    const { sandbox } = await start();
    await call(sandbox, 'GET', '/fake/boom');
    // The journal is documented as "every vendor call seen (method, path, status)".
    expect(journal(sandbox)).toEqual(['fake GET /boom 500']);
  });
});

describe('/__sandbox/state', () => {
  it('round-trips: GET returns every vendor state, PUT replaces it and answers the new state', async () => {
    const { sandbox, fake } = await start();
    expect((await call(sandbox, 'GET', '/__sandbox/state')).body).toEqual({ fake: SEED });

    await call(sandbox, 'POST', '/fake/items', { raw: 'one' });
    const saved = (await call(sandbox, 'GET', '/__sandbox/state')).body as { fake: FakeState };
    expect(saved).toEqual({ fake: { counter: 1, items: ['seed', 'one'] } });

    await call(sandbox, 'POST', '/fake/items', { raw: 'two' });
    const put = await call(sandbox, 'PUT', '/__sandbox/state', { json: saved });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(saved);
    expect(fake.restores).toBe(1);
    expect(fake.state).toEqual({ counter: 1, items: ['seed', 'one'] });
  });

  it('leaves the state of a vendor left out of the document alone', async () => {
    const { sandbox, fake } = await start();
    await call(sandbox, 'POST', '/fake/items', { raw: 'kept' });
    const put = await call(sandbox, 'PUT', '/__sandbox/state', { json: {} });
    expect(put.status).toBe(200);
    expect(fake.restores).toBe(0);
    expect(fake.state.items).toEqual(['seed', 'kept']);
  });

  it.each([
    ['a body that is not JSON', '{"fake": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"fake"'],
    ['an unknown vendor', '{"nobody": {}}'],
    ['a state the emulator refuses', '{"fake": {"counter": "x"}}'],
  ])('answers 400 to %s and keeps the state', async (_what, raw) => {
    const { sandbox, fake } = await start();
    const res = await call(sandbox, 'PUT', '/__sandbox/state', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^sandbox: /) });
    expect(fake.state).toEqual(SEED);
  });
});

describe('POST /__sandbox/reset', () => {
  it('calls every emulator reset and clears journal, faults, caller IP and clock offset', async () => {
    const { sandbox, fake } = await start();
    await call(sandbox, 'POST', '/fake/items', { raw: 'x' });
    await call(sandbox, 'PUT', '/__sandbox/caller-ip', { json: { ip: '203.0.113.7' } });
    await call(sandbox, 'POST', '/__sandbox/clock', { json: { advanceSeconds: 86_400 } });
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 503 } });
    expect(sandbox.journal.length).toBeGreaterThan(0);

    const res = await call(sandbox, 'POST', '/__sandbox/reset');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ fake: SEED });
    expect(fake.resets).toBe(1);
    expect(fake.state).toEqual(SEED);
    expect(sandbox.journal).toEqual([]);
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [] });
    expect(Math.abs(sandbox.clock.now() - Date.now())).toBeLessThan(2_000);

    const seen = await call(sandbox, 'GET', '/fake/items/1');
    expect(seen.status).toBe(200);
    expect((seen.body as { ip: string }).ip).toBe('127.0.0.1');
  });
});

describe('/__sandbox/journal', () => {
  it('lists vendor calls (method, path, status; no bodies, no control calls) and DELETE clears it', async () => {
    const { sandbox } = await start();
    await call(sandbox, 'POST', '/fake/items', { raw: 'body-that-must-not-be-journaled' });
    await call(sandbox, 'GET', '/fake/items/9?x=1');
    await call(sandbox, 'GET', '/fake/unknown');

    const res = await call(sandbox, 'GET', '/__sandbox/journal');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      calls: [
        { vendor: 'fake', method: 'POST', path: '/items', status: 201, unmatched: false },
        { vendor: 'fake', method: 'GET', path: '/items/9', status: 200, unmatched: false },
        { vendor: 'fake', method: 'GET', path: '/unknown', status: 404, unmatched: true },
      ],
    });
    expect(res.text).not.toContain('body-that-must-not-be-journaled');
    expect(sandbox.calls('fake')).toHaveLength(3);
    expect(sandbox.calls('other')).toEqual([]);

    const del = await call(sandbox, 'DELETE', '/__sandbox/journal');
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await call(sandbox, 'GET', '/__sandbox/journal')).body).toEqual({ calls: [] });
  });
});

describe('/__sandbox/clock', () => {
  it('GET tells the time; POST advanceSeconds moves it for the emulators too', async () => {
    const { sandbox } = await start();
    const before = (await call(sandbox, 'GET', '/__sandbox/clock')).body as { now: string };
    expect(Math.abs(Date.parse(before.now) - Date.now())).toBeLessThan(2_000);

    const res = await call(sandbox, 'POST', '/__sandbox/clock', { json: { advanceSeconds: 3600 } });
    expect(res.status).toBe(200);
    const after = Date.parse((res.body as { now: string }).now);
    expect(after - Date.now()).toBeGreaterThan(3600_000 - 2_000);
    expect(after - Date.now()).toBeLessThan(3600_000 + 2_000);

    const seen = (await call(sandbox, 'GET', '/fake/now')).body as { now: number };
    expect(seen.now - Date.now()).toBeGreaterThan(3600_000 - 2_000);
  });

  it('POST set jumps to a date', async () => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'POST', '/__sandbox/clock', { json: { set: '2031-05-06T07:08:09.000Z' } });
    expect(res.status).toBe(200);
    expect(Math.abs(Date.parse((res.body as { now: string }).now) - Date.parse('2031-05-06T07:08:09.000Z'))).toBeLessThan(2_000);
    const seen = (await call(sandbox, 'GET', '/fake/now')).body as { now: number };
    expect(Math.abs(seen.now - Date.parse('2031-05-06T07:08:09.000Z'))).toBeLessThan(2_000);
  });

  it.each([
    ['an empty object', '{}'],
    ['advanceSeconds as a string', '{"advanceSeconds": "60"}'],
    ['a set that is not a date', '{"set": "tomorrow-ish"}'],
    ['a body that is not JSON', 'advance'],
    ['a JSON array', '[60]'],
  ])('answers 400 to %s and leaves the clock alone', async (_what, raw) => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'POST', '/__sandbox/clock', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^sandbox: /) });
    expect(Math.abs(sandbox.clock.now() - Date.now())).toBeLessThan(2_000);
  });
});

describe('/__sandbox/caller-ip', () => {
  it('PUT makes routes see the given address; DELETE returns to the real peer', async () => {
    const { sandbox } = await start();
    const put = await call(sandbox, 'PUT', '/__sandbox/caller-ip', { json: { ip: '203.0.113.7' } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ ip: '203.0.113.7' });
    expect((await call(sandbox, 'GET', '/fake/items/1')).body).toMatchObject({ ip: '203.0.113.7' });

    await call(sandbox, 'PUT', '/__sandbox/caller-ip', { json: { ip: '2001:db8::1' } });
    expect((await call(sandbox, 'GET', '/fake/items/1')).body).toMatchObject({ ip: '2001:db8::1' });

    const del = await call(sandbox, 'DELETE', '/__sandbox/caller-ip');
    expect(del.status).toBe(204);
    expect((await call(sandbox, 'GET', '/fake/items/1')).body).toMatchObject({ ip: '127.0.0.1' });
  });

  it.each([
    ['no ip', '{}'],
    ['an ip that is a number', '{"ip": 203}'],
    ['words', '{"ip": "not-an-ip"}'],
    ['an injection attempt', '{"ip": "1.2.3.4; rm -rf"}'],
    ['a body that is not JSON', 'ip=1.2.3.4'],
  ])('answers 400 to %s', async (_what, raw) => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'PUT', '/__sandbox/caller-ip', { raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await call(sandbox, 'GET', '/fake/items/1')).body).toMatchObject({ ip: '127.0.0.1' });
  });

  it('answers 400 to strings of hex digits, dots and colons that are not IPv4 or IPv6 addresses', async () => {
    const { sandbox } = await start();
    const notIps = ['cafe', '1.2.3', '999.0.0.1', '::::', '.'];
    const statuses: Record<string, number> = {};
    for (const ip of notIps) {
      expect(isIP(ip)).toBe(0);
      statuses[ip] = (await call(sandbox, 'PUT', '/__sandbox/caller-ip', { json: { ip } })).status;
    }
    expect(statuses).toEqual(Object.fromEntries(notIps.map((ip) => [ip, 400])));
  });
});

describe('/__sandbox/faults', () => {
  it('a 503 fault with count 2 answers two 503s, then the routes run again', async () => {
    const { sandbox, fake } = await start();
    const post = await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 503, count: 2 } });
    expect(post.status).toBe(201);
    expect(post.body).toEqual({ vendor: 'fake', status: 503, latencyMs: 0, count: 2, ratio: 1 });

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'POST', '/fake/items', { raw: `n${i}` })).status);
    expect(statuses).toEqual([503, 503, 201]);
    expect(fake.state.items).toEqual(['seed', 'n2']);
    expect(journal(sandbox)).toEqual(['fake POST /items 503', 'fake POST /items 503', 'fake POST /items 201']);
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [expect.objectContaining({ vendor: 'fake', count: 0 })] });
  });

  it('a fault answers before route matching: even an unknown path gets the injected status', async () => {
    const { sandbox } = await start();
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 502, count: 1 } });
    const res = await call(sandbox, 'GET', '/fake/no-such-route');
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ error: 'sandbox: injected fault' });
  });

  it('"reset" destroys the connection before the route runs (fetch rejects), once', async () => {
    const { sandbox, fake } = await start();
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 'reset', count: 1 } });
    await expect(call(sandbox, 'POST', '/fake/items', { raw: 'lost' })).rejects.toThrow();
    expect(fake.seen).toHaveLength(0);
    expect(fake.state.items).toEqual(['seed']);
    expect(journal(sandbox)).toEqual(['fake POST /items 0']);
    expect((await call(sandbox, 'POST', '/fake/items', { raw: 'kept' })).status).toBe(201);
  });

  /** Polls (real time, bounded) until the first fault has been used up by an arriving request. */
  async function faultUsed(sandbox: Sandbox): Promise<void> {
    for (let i = 0; sandbox.faults[0]?.count !== 0; i++) {
      if (i > 1000) throw new Error('the fault was never used');
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }

  it('latencyMs alone delays the answer, then the route runs normally', async () => {
    const { sandbox, fake } = await start();
    const post = await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', latencyMs: 1000, count: 1 } });
    expect(post.body).toEqual({ vendor: 'fake', status: 0, latencyMs: 1000, count: 1, ratio: 1 });

    // GIVEN a request held by the fault
    let delayed: Answer | undefined;
    const slow = call(sandbox, 'GET', '/fake/items/1').then((res) => (delayed = res));
    await faultUsed(sandbox);
    // WHEN a second request is answered meanwhile (the fault is used up)
    expect((await call(sandbox, 'GET', '/fake/items/1')).status).toBe(200);
    // THEN the first is still waiting and its route has not run; then it runs normally
    expect(delayed).toBeUndefined();
    expect(fake.seen).toHaveLength(1);
    expect((await slow).status).toBe(200);
    expect(fake.seen).toHaveLength(2);
  });

  it('latencyMs with a status waits, then answers the status', async () => {
    const { sandbox, fake } = await start();
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 429, latencyMs: 1000, count: 1 } });
    let delayed: Answer | undefined;
    const slow = call(sandbox, 'GET', '/fake/items/1').then((res) => (delayed = res));
    await faultUsed(sandbox);
    expect((await call(sandbox, 'GET', '/fake/items/1')).status).toBe(200);
    expect(delayed).toBeUndefined();
    expect((await slow).status).toBe(429);
    expect(fake.seen).toHaveLength(1);
  });

  it('ratio decides with the sandbox random source (fault when random() < ratio)', async () => {
    const rolls = [0.9, 0.1, 0.5, 0.49];
    const { sandbox } = await start({ random: () => rolls.shift() ?? 0.99 });
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 503, ratio: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(sandbox, 'GET', '/fake/items/1')).status);
    expect(statuses).toEqual([200, 503, 200, 503, 200]);
  });

  it('a fault without count stays until DELETE clears every fault', async () => {
    const { sandbox } = await start();
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 500 } });
    expect((await call(sandbox, 'GET', '/fake/items/1')).status).toBe(500);
    expect((await call(sandbox, 'GET', '/fake/items/1')).status).toBe(500);
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [{ vendor: 'fake', status: 500, latencyMs: 0, ratio: 1 }] });

    const del = await call(sandbox, 'DELETE', '/__sandbox/faults');
    expect(del.status).toBe(204);
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [] });
    expect((await call(sandbox, 'GET', '/fake/items/1')).status).toBe(200);
  });

  it('faults never touch the control surface', async () => {
    const { sandbox } = await start();
    await call(sandbox, 'POST', '/__sandbox/faults', { json: { vendor: 'fake', status: 'reset' } });
    expect((await call(sandbox, 'GET', '/__sandbox/journal')).status).toBe(200);
  });

  it.each([
    ['an unknown vendor', { vendor: 'nobody', status: 503 }],
    ['no vendor', { status: 503 }],
    ['a status out of range', { vendor: 'fake', status: 99 }],
    ['a status that is a word', { vendor: 'fake', status: 'boom' }],
    ['neither status nor latency', { vendor: 'fake' }],
  ])('answers 400 to %s and adds nothing', async (_what, json) => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'POST', '/__sandbox/faults', { json });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^sandbox: faults: /) });
    expect((await call(sandbox, 'GET', '/__sandbox/faults')).body).toEqual({ faults: [] });
  });

  it('answers 400 to a body that is not JSON', async () => {
    const { sandbox } = await start();
    const res = await call(sandbox, 'POST', '/__sandbox/faults', { raw: 'vendor=fake', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });
});

describe('the rest of /__sandbox/', () => {
  it.each([
    ['GET', '/__sandbox/nothing-here'],
    ['PATCH', '/__sandbox/state'],
    ['DELETE', '/__sandbox/state'],
    ['GET', '/__sandbox/reset'],
    ['PUT', '/__sandbox/faults'],
    ['GET', '/__sandbox/'],
  ])('answers 404 to %s %s', async (method, path) => {
    const { sandbox, fake } = await start();
    const res = await call(sandbox, method, path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: `sandbox: no route for ${method} ${path}` });
    expect(fake.resets).toBe(0);
  });
});
