import * as net from 'net';
import { Agent } from 'undici';

import { ManualClock } from '../../src/core/clock';
import {
  APIACCESS_ABORTED,
  APIACCESS_BAD_RESPONSE,
  APIACCESS_CONFLICT,
  APIACCESS_FORBIDDEN,
  APIACCESS_HTTP_ERROR,
  APIACCESS_INVALID_ARGUMENT,
  APIACCESS_NETWORK_ERROR,
  APIACCESS_NOT_FOUND,
  APIACCESS_RATE_LIMITED,
  APIACCESS_TIMEOUT,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
} from '../../src/core/errors';
import { createLogger } from '../../src/core/log';
import { clearRegisteredSecrets, registerSecret } from '../../src/core/redact';
import { composeDispatcher } from '../../src/auth/compose';
import { createHeaderTokenInterceptor } from '../../src/auth/header-token';
import { HttpClient, httpError, path, type HttpResponse } from '../../src/auth/http';
import { createRetryInterceptor, IDEMPOTENT_HEADER } from '../../src/auth/retry';
import { hang, reply, ScriptedServer, sleepers } from './_server';

const SECRET = 'sk_live_0123456789abcdef';

describe('path', () => {
  it('percent-encodes every interpolation as one segment', () => {
    expect(path`/api-clients/${'a/b c?d#e'}/secrets/${42}`).toBe('/api-clients/a%2Fb%20c%3Fd%23e/secrets/42');
    expect(path`/api-clients/${'..'}/${'.'}`).toBe('/api-clients/%2E%2E/%2E');
  });

  it('refuses an empty parameter instead of addressing the collection', () => {
    expect(() => path`/api-clients/${''}`).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
  });
});

describe('HttpClient', () => {
  let server: ScriptedServer | undefined;
  let agent: Agent;

  beforeEach(() => {
    agent = new Agent();
    clearRegisteredSecrets();
  });
  afterEach(async () => {
    await agent.close();
    await server?.close();
    server = undefined;
    clearRegisteredSecrets();
  });

  const clientFor = (extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient =>
    new HttpClient({ baseUrl: `${(server as ScriptedServer).url}/v1`, dispatcher: agent, vendor: 'signicat', ...extra });

  it('sends the base path, encoded path, query and a JSON body, and returns the raw answer', async () => {
    server = await ScriptedServer.start([reply(201, { id: 'c-1' }, { 'x-request-id': 'req-9', 'set-cookie': ['a=1', 'b=2'] })]);

    const res = await clientFor().request({
      method: 'POST',
      path: path`/api-clients/${'team a'}/secrets`,
      query: { scope: ['read', 'write'], dryRun: false, skip: undefined },
      body: { name: 'ci', lifetime: 3600 },
    });

    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ id: 'c-1' });
    expect(res.headers['x-request-id']).toBe('req-9');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    const [sent] = server.requests;
    expect(sent.url).toBe('/v1/api-clients/team%20a/secrets?scope=read&scope=write&dryRun=false');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual({ name: 'ci', lifetime: 3600 });
    server.assertDone();
  });

  it('sends strings and Buffers as they are and keeps the caller content-type', async () => {
    server = await ScriptedServer.start([reply(200), reply(200)]);
    const client = clientFor();

    await client.request({
      method: 'PUT',
      path: '/a',
      body: 'grant_type=client_credentials',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await client.request({ method: 'PUT', path: '/b', body: Buffer.from([1, 2, 3]) });

    expect(server.requests.map((r) => [r.body, r.headers['content-type']])).toEqual([
      ['grant_type=client_credentials', 'application/x-www-form-urlencoded'],
      ['\u0001\u0002\u0003', undefined],
    ]);
    server.assertDone();
  });

  it('throws APIACCESS_BAD_RESPONSE from json() when the body is not JSON', async () => {
    server = await ScriptedServer.start([reply(200, '<html>maintenance</html>')]);

    const res = await clientFor().request({ method: 'GET', path: '/x' });

    expect(res.text).toBe('<html>maintenance</html>');
    expect(() => res.json()).toThrow(expect.objectContaining({ code: APIACCESS_BAD_RESPONSE, status: 200 }));
    server.assertDone();
  });

  it.each([
    [400, APIACCESS_VENDOR_REJECTED],
    [401, APIACCESS_UNAUTHORIZED],
    [403, APIACCESS_FORBIDDEN],
    [404, APIACCESS_NOT_FOUND],
    [409, APIACCESS_CONFLICT],
    [422, APIACCESS_VENDOR_REJECTED],
    [429, APIACCESS_RATE_LIMITED],
    [418, APIACCESS_HTTP_ERROR],
    [500, APIACCESS_HTTP_ERROR],
  ])('maps HTTP %i to %s', async (status, code) => {
    server = await ScriptedServer.start([reply(status, { message: 'nope' })]);

    const res = await clientFor().request({ method: 'GET', path: '/api-clients' });
    const err = httpError('signicat', res);

    expect(ApiAccessError.isApiAccessError(err)).toBe(true);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    server.assertDone();
  });

  it('puts Retry-After of a 429 into retryAfterSeconds', async () => {
    server = await ScriptedServer.start([reply(429, '', { 'retry-after': '30' })]);

    const err = httpError('threatjammer', await clientFor().request({ method: 'GET', path: '/quota' }));

    expect(err).toMatchObject({ code: APIACCESS_RATE_LIMITED, retryAfterSeconds: 30 });
    server.assertDone();
  });

  it('builds the message from the vendor error text and request ID, without any registered secret in the message or JSON', async () => {
    // GIVEN a vendor that echoes the secret back in its error and a header token carrying it
    registerSecret(SECRET);
    server = await ScriptedServer.start([
      reply(401, { error: 'invalid_client', error_description: `client secret ${SECRET} is not valid`, client_secret: SECRET }, { 'x-request-id': 'req-42' }),
    ]);
    const dispatcher = composeDispatcher(agent, { auth: createHeaderTokenInterceptor({ Authorization: `Bearer ${SECRET}` }) });

    // WHEN the answer is turned into an error
    const res = await clientFor({ dispatcher }).request({ method: 'POST', path: '/oauth/token', body: 'grant_type=client_credentials' });
    const err = httpError('signicat', res, 'Could not get an access token');

    // THEN the message has the vendor's words and the request ID, masked, and nothing leaks
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.message).toBe(
      'Could not get an access token: signicat answered HTTP 401: invalid_client: client secret [REDACTED] is not valid (request ID req-42)',
    );
    expect(JSON.stringify(err)).not.toContain(SECRET);
    expect(JSON.parse(JSON.stringify(err))).toEqual({ name: 'ApiAccessError', code: APIACCESS_UNAUTHORIZED, status: 401 });
    expect(Object.keys(err)).not.toContain('body');
    expect(err.body).toEqual({ error: 'invalid_client', error_description: 'client secret [REDACTED] is not valid', client_secret: '[REDACTED]' });
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${SECRET}`);
    server.assertDone();
  });

  it('reads nested vendor error shapes (errors[].message)', async () => {
    server = await ScriptedServer.start([reply(409, { errors: [{ message: 'name already taken' }, { message: 'try another' }] })]);

    const err = httpError('sigsci', await clientFor().request({ method: 'POST', path: '/tokens', body: { name: 'ci' } }));

    expect(err.code).toBe(APIACCESS_CONFLICT);
    expect(err.message).toBe('sigsci answered HTTP 409: name already taken; try another');
    server.assertDone();
  });

  it('fails with APIACCESS_TIMEOUT when no answer comes within timeoutMs', async () => {
    server = await ScriptedServer.start([hang()]);

    await expect(clientFor({ timeoutMs: 150 }).request({ method: 'GET', path: '/slow' })).rejects.toMatchObject({ code: APIACCESS_TIMEOUT });
    server.assertDone();
  });

  it('fails with APIACCESS_ABORTED when the caller cancels', async () => {
    server = await ScriptedServer.start([hang()]);
    const controller = new AbortController();

    const pending = clientFor().request({ method: 'GET', path: '/slow', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);

    await expect(pending).rejects.toMatchObject({ code: APIACCESS_ABORTED });
    server.assertDone();
  });

  it('fails with APIACCESS_NETWORK_ERROR when the connection is refused, with no secret in the message', async () => {
    registerSecret(SECRET);
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    const client = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, dispatcher: agent, vendor: 'silobreaker' });

    const err = await client.request({ method: 'GET', path: `/search`, query: { apiKey: SECRET } }).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: APIACCESS_NETWORK_ERROR });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(`${(err as Error).message} ${JSON.stringify(err)}`).not.toContain(SECRET);
  });

  it('rejects promptly with APIACCESS_ABORTED when cancelled during a retry backoff', async () => {
    server = await ScriptedServer.start([reply(503, '', { 'retry-after': '45' })]);
    const clock = new ManualClock();
    const controller = new AbortController();
    const client = clientFor({ dispatcher: composeDispatcher(agent, { retry: createRetryInterceptor({ clock }) }) });

    const pending = client.request({ method: 'GET', path: '/api-clients', signal: controller.signal });
    await sleepers(clock);
    controller.abort();

    await expect(pending).rejects.toMatchObject({ code: APIACCESS_ABORTED });
    expect(clock.pending).toBe(0);
    server.assertDone();
  });

  it('fails with APIACCESS_TIMEOUT when the timeout strikes during a retry backoff', async () => {
    server = await ScriptedServer.start([reply(429, '', { 'retry-after': '60' })]);
    const clock = new ManualClock();
    const client = clientFor({ timeoutMs: 150, dispatcher: composeDispatcher(agent, { retry: createRetryInterceptor({ clock }) }) });

    await expect(client.request({ method: 'GET', path: '/api-clients' })).rejects.toMatchObject({ code: APIACCESS_TIMEOUT });
    expect(clock.pending).toBe(0);
    server.assertDone();
  });

  it('marks a POST idempotent so that the retry interceptor may repeat it', async () => {
    server = await ScriptedServer.start([reply(503), reply(200, { results: [] })]);
    const client = clientFor({ dispatcher: composeDispatcher(agent, { retry: createRetryInterceptor({ random: () => 0 }) }) });

    const res = await client.request({ method: 'POST', path: '/search', body: { q: 'ioc' }, idempotent: true });

    expect(res.status).toBe(200);
    expect(server.requests.map((r) => r.headers[IDEMPOTENT_HEADER])).toEqual([undefined, undefined]);
    server.assertDone();
  });

  it('logs each exchange through the redacting logger', async () => {
    registerSecret(SECRET);
    server = await ScriptedServer.start([reply(204)]);
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), level: 'debug' });

    await clientFor({ logger }).request({ method: 'DELETE', path: path`/api-clients/${SECRET}` });

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ '@level': 'debug', '@message': 'signicat: DELETE /v1/api-clients/[REDACTED] answered 204', status: 204 });
    server.assertDone();
  });

  it('validates its options and requests', async () => {
    expect(() => new HttpClient({ baseUrl: 'not a url', dispatcher: agent, vendor: 'x' })).toThrow(
      expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }),
    );
    const client = new HttpClient({ baseUrl: 'https://api.example.com', dispatcher: agent, vendor: 'x' });
    await expect(client.request({ method: 'GET', path: 'no-slash' })).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
    await expect(client.request({ method: 'GET', path: '/a?b=c' })).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
  });
});

describe('issue 6: httpError redacts vendor text before it is folded onto one line and cut', () => {
  /** An answer as HttpClient returns it, without a server: httpError only reads it. */
  const answer = (status: number, text: string): HttpResponse => ({
    status,
    headers: { 'x-request-id': `req-${SECRET}` },
    text,
    json: <T>() => JSON.parse(text) as T,
  });

  afterEach(() => clearRegisteredSecrets());

  it('a secret that straddles the 300-character cut leaks neither half', () => {
    registerSecret(SECRET);
    const half = Math.floor(SECRET.length / 2);
    for (const at of [300 - half, 300 - 1, 300 - SECRET.length + 1]) {
      const err = httpError('signicat', answer(400, JSON.stringify({ message: `${'x'.repeat(at)}${SECRET} tail` })));
      expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
      expect(err.message).toContain('[REDACTED]');
      expect(err.message).not.toContain(SECRET.slice(0, half));
      expect(err.message).not.toContain(SECRET.slice(half));
      expect(err.message).toContain('(request ID req-[REDACTED])');
    }
  });

  it('a secret containing a newline is masked before white space is folded', () => {
    const multiLine = 'first-line\n  second-line';
    registerSecret(multiLine);
    const err = httpError('signicat', answer(401, `denied for\n${multiLine}\n`));
    expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
    expect(err.message).toBe('signicat answered HTTP 401: denied for [REDACTED] (request ID req-sk_live_0123456789abcdef)');
    expect(err.message).not.toContain('first-line');
    expect(err.message).not.toContain('second-line');
  });
});
