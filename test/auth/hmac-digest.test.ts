import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

import {
  createHmacDigestInterceptor,
  requestDigest,
  signRequest,
  type DigestAlgorithm,
  type HmacDigestOptions,
  type SignableBody,
} from '../../src/auth/hmac-digest';
import { createRetryInterceptor } from '../../src/auth/retry';
import { composeDispatcher } from '../../src/auth/compose';
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../src/core/errors';
import { clearRegisteredSecrets, redact } from '../../src/core/redact';
import type { Sandbox } from '../../src/sandbox/server';
import { SILOBREAKER_DIGEST } from '../../src/vendors/silobreaker/auth-params';
import { startSandbox } from '../vendors/silobreaker/_helpers';

const SEED_URL = 'https://api.silobreaker.com/search/documents/Sweden';
const SEED = { apiKey: 'MyApiKey', sharedKey: 'MySharedKey', scheme: SILOBREAKER_DIGEST };

/** The digest with Silobreaker's default algorithm. */
const silobreakerDigest = (verb: string, url: string, body: SignableBody, sharedKey: string, algorithm: DigestAlgorithm = 'sha1'): string =>
  requestDigest(verb, url, body, sharedKey, algorithm);

/** Runs the interceptor over a dispatch that only records what it would send. */
function captured(opts: Dispatcher.DispatchOptions, options: HmacDigestOptions = SEED): { sent?: Dispatcher.DispatchOptions; error?: Error } {
  const out: { sent?: Dispatcher.DispatchOptions; error?: Error } = {};
  const dispatch = (o: Dispatcher.DispatchOptions): boolean => {
    out.sent = o;
    return true;
  };
  const handler: Dispatcher.DispatchHandler = { onResponseError: (_c, err) => (out.error = err) };
  createHmacDigestInterceptor(options)(dispatch as Dispatcher['dispatch'])(opts, handler);
  return out;
}

describe('requestDigest (pure)', () => {
  it('reproduces the seed GET example', () => {
    expect(silobreakerDigest('GET', SEED_URL, undefined, 'MySharedKey')).toBe('YZHTB5EvNKnLhmpyroyGyq71EmQ=');
  });

  it('reproduces the seed POST example: body {"id": "example"} followed by a line feed', () => {
    expect(silobreakerDigest('POST', SEED_URL, '{"id": "example"}\n', 'MySharedKey')).toBe('yuoW8y5jWb6EG2VQAnD9j4QPmiA=');
  });

  it('signs the exact bytes: without the line feed the POST digest differs', () => {
    expect(silobreakerDigest('POST', SEED_URL, '{"id": "example"}', 'MySharedKey')).toBe('YBKsCFzYqGlWbeUzBsRaLBKWGVE=');
  });

  it('gives the same digest for a string, a Buffer and a Uint8Array of the same bytes', () => {
    const text = '{"id": "example"}\n';
    const buf = Buffer.from(text);
    const u8 = new Uint8Array(buf);
    expect(silobreakerDigest('POST', SEED_URL, buf, 'MySharedKey')).toBe('yuoW8y5jWb6EG2VQAnD9j4QPmiA=');
    expect(silobreakerDigest('POST', SEED_URL, u8, 'MySharedKey')).toBe('yuoW8y5jWb6EG2VQAnD9j4QPmiA=');
  });

  it('makes an 88-character digest with SHA-512', () => {
    expect(silobreakerDigest('GET', SEED_URL, undefined, 'MySharedKey', 'sha512')).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  it('refuses a relative URL and an empty shared key', () => {
    expect(() => silobreakerDigest('GET', '/search/documents/Sweden', undefined, 'MySharedKey')).toThrow(
      expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }),
    );
    expect(() => silobreakerDigest('GET', SEED_URL, undefined, '')).toThrow(expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT }));
  });
});

describe('createHmacDigestInterceptor (what it sends)', () => {
  afterEach(() => clearRegisteredSecrets());

  it('turns the seed GET into exactly the documented final URL', () => {
    const { sent } = captured({ origin: 'https://api.silobreaker.com', path: '/search/documents/Sweden', method: 'GET' });
    expect(sent?.path).toBe('/search/documents/Sweden?apiKey=MyApiKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D');
  });

  it('turns the seed POST (body with LF) into the documented final URL and leaves the body untouched', () => {
    const body = Buffer.from('{"id": "example"}\n');
    const { sent } = captured({ origin: 'https://api.silobreaker.com:443', path: '/search/documents/Sweden', method: 'POST', body });
    expect(sent?.path).toBe('/search/documents/Sweden?apiKey=MyApiKey&digest=yuoW8y5jWb6EG2VQAnD9j4QPmiA%3D');
    expect(sent?.body).toBe(body);
  });

  it('appends with "&" after an existing query, which is signed as part of the URL', () => {
    const { sent } = captured({ origin: 'https://api.silobreaker.com', path: '/documents?q=list:Attack+Types&type=json', method: 'GET' });
    const digest = silobreakerDigest('GET', 'https://api.silobreaker.com/documents?q=list:Attack+Types&type=json', undefined, 'MySharedKey');
    expect(sent?.path).toBe(`/documents?q=list:Attack+Types&type=json&apiKey=MyApiKey&digest=${encodeURIComponent(digest)}`);
  });

  it('folds opts.query into the path before signing, as undici would send it', () => {
    const { sent } = captured({
      origin: 'https://api.silobreaker.com',
      path: '/documents',
      method: 'GET',
      query: { q: 'a b', type: 'json' },
    } as Dispatcher.DispatchOptions);
    const digest = silobreakerDigest('GET', 'https://api.silobreaker.com/documents?q=a%20b&type=json', undefined, 'MySharedKey');
    expect(sent?.path).toBe(`/documents?q=a%20b&type=json&apiKey=MyApiKey&digest=${encodeURIComponent(digest)}`);
    expect((sent as { query?: unknown }).query).toBeUndefined();
  });

  it('drops a dangling "?" so that what is signed is what the server rebuilds', () => {
    const { sent } = captured({ origin: 'https://api.silobreaker.com', path: '/search/documents/Sweden?', method: 'GET' });
    expect(sent?.path).toBe('/search/documents/Sweden?apiKey=MyApiKey&digest=YZHTB5EvNKnLhmpyroyGyq71EmQ%3D');
  });

  it("takes the parameter names and the default algorithm from the caller's scheme", () => {
    const scheme = { keyParam: 'key', digestParam: 'sig', algorithm: 'sha512' as const };
    const { sent } = captured({ origin: 'https://api.silobreaker.com', path: '/search/documents/Sweden', method: 'GET' }, { ...SEED, scheme });
    const sig = encodeURIComponent(requestDigest('GET', SEED_URL, undefined, 'MySharedKey', 'sha512'));
    expect(sent?.path).toBe(`/search/documents/Sweden?key=MyApiKey&sig=${sig}`);
    const taken = captured({ origin: 'https://api.silobreaker.com', path: '/search/documents/Sweden?sig=1', method: 'GET' }, { ...SEED, scheme });
    expect(taken.error).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
  });

  it('percent-encodes "+", "/" and "=" in the digest', () => {
    // Find a request whose digest holds both '+' and '/'.
    let n = 0;
    let digest = '';
    for (; n < 2000; n++) {
      digest = silobreakerDigest('GET', `https://api.silobreaker.com/documents?q=x&n=${n}`, undefined, 'MySharedKey');
      if (digest.includes('+') && digest.includes('/')) break;
    }
    const signed = signRequest({ origin: 'https://api.silobreaker.com', path: `/documents?q=x&n=${n}`, method: 'GET' }, SEED);
    const sentDigest = /&digest=([^&]+)$/.exec(signed.path)![1]!;
    expect(sentDigest).toMatch(/^[A-Za-z0-9%]+$/);
    expect(sentDigest).toContain('%2B');
    expect(sentDigest).toContain('%2F');
    expect(sentDigest.endsWith('%3D')).toBe(true);
    expect(decodeURIComponent(sentDigest)).toBe(digest);
  });

  it.each([
    ['a stream body', { body: Readable.from(['{}']) }],
    [
      'an async iterable body',
      {
        body: (async function* () {
          yield Buffer.from('{}');
        })(),
      },
    ],
    ['a path already carrying apiKey', { path: '/documents?apiKey=Other' }],
    ['a path with a fragment', { path: '/documents#x' }],
    ['no origin', { origin: undefined }],
  ])('fails %s with APIACCESS_INVALID_ARGUMENT before anything is sent', (_what, change) => {
    const { sent, error } = captured({ origin: 'https://api.silobreaker.com', path: '/documents', method: 'POST', ...change } as Dispatcher.DispatchOptions);
    expect(sent).toBeUndefined();
    expect(ApiAccessError.isApiAccessError(error)).toBe(true);
    expect((error as ApiAccessError).code).toBe(APIACCESS_INVALID_ARGUMENT);
  });

  it('registers the shared key as a secret', () => {
    createHmacDigestInterceptor({ apiKey: 'k1', sharedKey: 'shared-secret-42', scheme: SILOBREAKER_DIGEST });
    expect(redact('oops shared-secret-42')).toBe('oops [REDACTED]');
  });

  it('refuses empty credentials up front', () => {
    expect(() => createHmacDigestInterceptor({ apiKey: '', sharedKey: 'x', scheme: SILOBREAKER_DIGEST })).toThrow(
      expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT, field: '"apiKey"' }),
    );
    expect(() => createHmacDigestInterceptor({ apiKey: 'x', sharedKey: '', scheme: SILOBREAKER_DIGEST })).toThrow(
      expect.objectContaining({ code: APIACCESS_INVALID_ARGUMENT, field: '"sharedKey"' }),
    );
  });
});

describe('createHmacDigestInterceptor (against the sandbox)', () => {
  let sandbox: Sandbox;
  let agent: Agent;

  beforeEach(async () => {
    ({ sandbox } = await startSandbox());
    agent = new Agent();
  });
  afterEach(async () => {
    await agent.close();
    await sandbox.close();
    clearRegisteredSecrets();
  });

  const send = async (dispatcher: Dispatcher, opts: Omit<Dispatcher.RequestOptions, 'origin'>): Promise<{ status: number; body: unknown }> => {
    const res = await dispatcher.request({ origin: sandbox.baseUrl, ...opts });
    const text = await res.body.text();
    return { status: res.statusCode, body: JSON.parse(text) };
  };

  it('is accepted for the seed GET and for the seed POST with its exact body bytes', async () => {
    const dispatcher = agent.compose(createHmacDigestInterceptor(SEED));
    const get = await send(dispatcher, { path: '/silobreaker/search/documents/Sweden', method: 'GET', query: { type: 'json' } });
    expect(get.status).toBe(200);
    expect((get.body as { TotalCount: number }).TotalCount).toBe(2);
    const post = await send(dispatcher, {
      path: '/silobreaker/search/documents/Sweden',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array(Buffer.from('{"id": "example"}\n')),
    });
    expect(post.status).toBe(200);
    expect(sandbox.calls('silobreaker').map((c) => c.status)).toEqual([200, 200]);
  });

  it('is accepted with SHA-512', async () => {
    const dispatcher = agent.compose(createHmacDigestInterceptor({ ...SEED, algorithm: 'sha512' }));
    expect((await send(dispatcher, { path: '/silobreaker/search/documents/Sweden', method: 'GET' })).status).toBe(200);
  });

  it('gets the vendor answer 401 {"Status":"Unauthorized"} with a wrong shared key or an unknown API key', async () => {
    for (const creds of [
      { apiKey: 'MyApiKey', sharedKey: 'NotMySharedKey', scheme: SILOBREAKER_DIGEST },
      { apiKey: 'SomeoneElse', sharedKey: 'MySharedKey', scheme: SILOBREAKER_DIGEST },
    ]) {
      const res = await send(agent.compose(createHmacDigestInterceptor(creds)), { path: '/silobreaker/search/documents/Sweden', method: 'GET' });
      expect(res).toEqual({ status: 401, body: { Status: 'Unauthorized' } });
    }
  });

  it('signs every retry attempt afresh, after the retry interceptor', async () => {
    const post = await agent.request({
      origin: sandbox.baseUrl,
      path: '/__sandbox/faults',
      method: 'POST',
      body: JSON.stringify({ vendor: 'silobreaker', status: 503, count: 1 }),
    });
    await post.body.text();
    const dispatcher = composeDispatcher(agent, { retry: createRetryInterceptor({ baseDelayMs: 1 }), auth: createHmacDigestInterceptor(SEED) });
    const res = await send(dispatcher, { path: '/silobreaker/search/documents/Sweden', method: 'GET' });
    expect(res.status).toBe(200);
    expect(sandbox.calls('silobreaker').map((c) => c.status)).toEqual([503, 200]);
  });

  it('never sends a request whose body is a stream', async () => {
    const dispatcher = agent.compose(createHmacDigestInterceptor(SEED));
    await expect(
      dispatcher.request({ origin: sandbox.baseUrl, path: '/silobreaker/search/documents/Sweden', method: 'POST', body: Readable.from(['{}']) }),
    ).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
    expect(sandbox.calls('silobreaker')).toEqual([]);
  });
});
