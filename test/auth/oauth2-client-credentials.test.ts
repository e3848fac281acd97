/**
 * OAuth2 client credentials against the Signicat sandbox: the token source (both client-auth
 * methods, cache, single flight, renewal before expiry, coded and redacted errors), the
 * interceptor (Bearer, one retry with a fresh token after a 401, no loop), and real third-party
 * clients (simple-oauth2, openid-client) obtaining tokens from the same endpoint.
 */
import { inspect } from 'node:util';

import * as oidc from 'openid-client';
import { ClientCredentials } from 'simple-oauth2';
import { Agent, type Dispatcher } from 'undici';
import { Readable } from 'node:stream';

import { composeDispatcher } from '../../src/auth/compose';
import { normalizeHeaders, type HeaderRecord } from '../../src/auth/dispatch-utils';
import { HttpClient } from '../../src/auth/http';
import { clearTokenCache, createOAuth2ClientCredentialsInterceptor, OAuth2TokenSource, type ClientAuthMethod } from '../../src/auth/oauth2-client-credentials';
import { ManualClock } from '../../src/core/clock';
import { destroySocket, reply, ScriptedServer, type Step } from './_server';
import { APIACCESS_ABORTED, APIACCESS_OAUTH_ERROR, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../src/core/errors';
import type { Sandbox } from '../../src/sandbox/server';
import {
  api,
  control,
  issuerOf,
  RecordingProxy,
  SEED_ACCOUNT_ID,
  SEED_CLIENT_ID,
  SEED_CLIENT_SECRET,
  startSandbox,
  TOKEN_PATH,
  tokenCalls,
  tokenEndpointOf,
} from '../vendors/signicat/_sandbox';

let sandbox: Sandbox;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  clearTokenCache();
  ({ sandbox } = await startSandbox());
  closers.push(() => sandbox.close());
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An Agent closed after the test. */
function agent(): Agent {
  const a = new Agent();
  closers.push(() => a.close());
  return a;
}

/** A dispatcher that records the headers of every request it sends. */
function recordingDispatcher(seen: HeaderRecord[]): Dispatcher {
  return agent().compose((dispatch) => (opts, handler) => {
    seen.push(normalizeHeaders(opts.headers));
    return dispatch(opts, handler);
  });
}

function source(
  options: {
    secret?: string;
    authMethod?: ClientAuthMethod;
    clock?: ManualClock;
    dispatcher?: Dispatcher;
    on?: Sandbox;
  } = {},
): OAuth2TokenSource {
  const target = options.on ?? sandbox;
  return new OAuth2TokenSource({
    issuer: issuerOf(target),
    tokenEndpoint: tokenEndpointOf(target),
    clientId: SEED_CLIENT_ID,
    clientSecret: options.secret ?? SEED_CLIENT_SECRET,
    scope: 'signicat-api',
    ...(options.authMethod ? { authMethod: options.authMethod } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
}

/** The sandbox journal as `METHOD path status` lines. */
function journal(s: Sandbox = sandbox): string[] {
  return s.calls('signicat').map((c) => `${c.method} ${c.path} ${c.status}`);
}

const TOKEN_200 = `POST ${TOKEN_PATH} 200`;

/** A management call is accepted with this token. */
async function works(token: string): Promise<boolean> {
  return (await api(sandbox, 'GET', '', { token })).status === 200;
}

describe('OAuth2TokenSource', () => {
  it.each([
    ['client_secret_post', undefined],
    ['client_secret_post', 'client_secret_post'],
    ['client_secret_basic', 'client_secret_basic'],
  ] as const)('gets a token with %s (authMethod %s) and serves the second call from the cache', async (method, authMethod) => {
    // GIVEN a token source whose token requests we can see
    const seen: HeaderRecord[] = [];
    const src = source({
      ...(authMethod ? { authMethod } : {}),
      dispatcher: recordingDispatcher(seen),
    });
    // WHEN it is asked twice
    const first = await src.getToken();
    const second = await src.getToken();
    // THEN one token request was sent, with the chosen client authentication, and the token works
    expect(second).toBe(first);
    expect(tokenCalls(sandbox)).toHaveLength(1);
    expect(src.requests).toBe(1);
    expect(seen).toHaveLength(1);
    if (method === 'client_secret_basic') {
      const decoded = Buffer.from(String(seen[0]!.authorization).replace(/^Basic /, ''), 'base64').toString();
      expect(decoded).toBe(`sandbox%2Dround%2Dapple%2D123:${SEED_CLIENT_SECRET}`);
    } else {
      expect(seen[0]!.authorization).toBeUndefined();
    }
    expect(await works(first)).toBe(true);
  });

  it('shares one token request between 10 concurrent callers', async () => {
    const src = source();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => src.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokenCalls(sandbox)).toHaveLength(1);
    expect(src.requests).toBe(1);
  });

  it('renews shortly before expiry: cached until renewAt, a new request after it', async () => {
    // GIVEN a token of 600 s, renewed at most 60 s (and at most 10 % of the lifetime) early → at 540 s
    const clock = new ManualClock();
    const src = source({ clock });
    const first = await src.getToken();
    // WHEN time reaches just before renewAt
    clock.advance(540_000 - 1);
    // THEN the cached token is served
    expect(await src.getToken()).toBe(first);
    expect(tokenCalls(sandbox)).toHaveLength(1);
    // WHEN time passes renewAt
    clock.advance(2);
    const renewed = await src.getToken();
    // THEN a new token was requested
    expect(renewed).not.toBe(first);
    expect(tokenCalls(sandbox)).toHaveLength(2);
    expect(await works(renewed)).toBe(true);
  });

  it('renews a short-lived token at 90 % of its lifetime', async () => {
    // GIVEN a client lifetime of 100 s: renewBefore = min(60 s, 10 s) = 10 s
    const admin = await source().getToken();
    expect(
      (
        await api(sandbox, 'PATCH', `/${SEED_CLIENT_ID}`, {
          token: admin,
          body: { accessTokenLifetime: 100 },
        })
      ).status,
    ).toBe(200);
    clearTokenCache();
    const clock = new ManualClock();
    const src = source({ clock });
    const first = await src.getToken();
    clock.advance(90_000 - 1);
    expect(await src.getToken()).toBe(first);
    clock.advance(1);
    expect(await src.getToken()).not.toBe(first);
    expect(tokenCalls(sandbox)).toHaveLength(3);
  });

  it.each(['client_secret_post', 'client_secret_basic'] as const)(
    'issue 6: rejects a wrong secret (%s) with APIACCESS_UNAUTHORIZED naming client_secret, no library prose, never the secret',
    async (authMethod) => {
      const secret = 'WrongS3cretThatMustNeverLeak0123456789abcdef';
      const src = source({ secret, authMethod });
      const err: unknown = await src.getToken().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ApiAccessError.isApiAccessError(err)).toBe(true);
      const e = err as ApiAccessError;
      expect(e.code).toBe(APIACCESS_UNAUTHORIZED);
      expect(e.field).toBe('client_secret');
      expect(e.message).not.toMatch(/WWW-Authenticate|challenge/i);
      for (const text of [e.message, JSON.stringify(e), String(e), inspect(e, { depth: 5 }), e.stack ?? '']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
      expect(tokenCalls(sandbox).map((c) => c.status)).toEqual([authMethod === 'client_secret_basic' ? 401 : 400]);
    },
  );

  it('does not serve the token cached for the right secret to a source with a wrong secret', async () => {
    // GIVEN a valid token cached for the seed client
    await source().getToken();
    // WHEN another source for the same client and endpoint, but with a wrong secret, asks
    const wrong = source({
      secret: 'WrongS3cretThatMustNeverLeak0123456789abcdef',
    });
    // THEN it must authenticate itself, and fail
    await expect(wrong.getToken()).rejects.toMatchObject({
      code: APIACCESS_UNAUTHORIZED,
    });
    expect(tokenCalls(sandbox).map((c) => c.status)).toEqual([200, 400]);
  });

  it("one caller's cancellation does not fail another caller sharing the in-flight request", async () => {
    // GIVEN a token endpoint that takes 200 ms to answer once
    expect(
      (
        await control(sandbox, 'POST', 'faults', {
          vendor: 'signicat',
          latencyMs: 200,
          count: 1,
        })
      ).status,
    ).toBe(201);
    const src = source();
    const cancelled = new AbortController();
    // WHEN two callers ask at once and the first one gives up
    const first = src.getToken(cancelled.signal);
    const second = src.getToken();
    first.catch(() => undefined);
    cancelled.abort();
    // THEN the first caller's promise rejects, the second still gets a working token
    expect(ApiAccessError.isApiAccessError(await first.catch((e: unknown) => e))).toBe(true);
    const token = await second;
    expect(await works(token)).toBe(true);
  });

  it('reports a cancelled token request as APIACCESS_ABORTED, not as a network error', async () => {
    const err = await source()
      .getToken(AbortSignal.abort())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: APIACCESS_ABORTED });
    expect(tokenCalls(sandbox)).toEqual([]);
  });

  it('does not cache a failure: the next call asks again', async () => {
    const src = source({
      secret: 'WrongS3cretThatMustNeverLeak0123456789abcdef',
    });
    await expect(src.getToken()).rejects.toMatchObject({
      code: APIACCESS_UNAUTHORIZED,
    });
    await expect(src.getToken()).rejects.toMatchObject({
      code: APIACCESS_UNAUTHORIZED,
    });
    expect(tokenCalls(sandbox)).toHaveLength(2);
  });
});

describe('createOAuth2ClientCredentialsInterceptor', () => {
  function clientFor(src: OAuth2TokenSource, on: Sandbox = sandbox): HttpClient {
    return new HttpClient({
      baseUrl: `${on.baseUrl}/signicat`,
      dispatcher: composeDispatcher(agent(), {
        auth: createOAuth2ClientCredentialsInterceptor(src),
      }),
      vendor: 'signicat',
    });
  }
  const list = {
    method: 'GET',
    path: '/management/api-clients',
    query: { 'signicat-accountId': SEED_ACCOUNT_ID },
  } as const;

  it('sends Bearer with a token from the source and gets 200', async () => {
    const client = clientFor(source());
    const res = await client.request(list);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      data: [expect.objectContaining({ id: SEED_CLIENT_ID })],
    });
    expect(journal()).toEqual([TOKEN_200, 'GET /management/api-clients 200']);
    // a second request reuses the cached token
    expect((await client.request(list)).status).toBe(200);
    expect(tokenCalls(sandbox)).toHaveLength(1);
  });

  it('after a 401 for a revoked token, fetches a fresh token and retries once: the caller sees 200', async () => {
    // GIVEN a cached token that the sandbox then forgets
    const client = clientFor(source());
    expect((await client.request(list)).status).toBe(200);
    const state = (await control(sandbox, 'GET', 'state')).body as {
      signicat: { tokens: Record<string, unknown> };
    };
    expect(Object.keys(state.signicat.tokens)).toHaveLength(1);
    expect(
      (
        await control(sandbox, 'PUT', 'state', {
          signicat: { ...state.signicat, tokens: {} },
        })
      ).status,
    ).toBe(200);
    // WHEN the caller makes a request
    const res = await client.request(list);
    // THEN it sees 200; the sandbox saw 401, a new token request, then 200
    expect(res.status).toBe(200);
    expect(journal()).toEqual([TOKEN_200, 'GET /management/api-clients 200', 'GET /management/api-clients 401', TOKEN_200, 'GET /management/api-clients 200']);
    expect(tokenCalls(sandbox)).toHaveLength(2);
  });

  it('two concurrent requests that both meet a revoked token share one refresh', async () => {
    const client = clientFor(source());
    expect((await client.request(list)).status).toBe(200);
    expect((await control(sandbox, 'POST', 'reset')).status).toBe(200);
    const answers = await Promise.all([client.request(list), client.request(list)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(
      journal()
        .filter((l) => l.startsWith('GET'))
        .sort(),
    ).toEqual(['GET /management/api-clients 200', 'GET /management/api-clients 200', 'GET /management/api-clients 401', 'GET /management/api-clients 401']);
    expect(tokenCalls(sandbox)).toHaveLength(1);
  });

  it('replays a JSON body on the retry: the client is created exactly once', async () => {
    const client = clientFor(source());
    expect((await client.request(list)).status).toBe(200);
    expect((await control(sandbox, 'POST', 'reset')).status).toBe(200);
    const res = await client.request({
      method: 'POST',
      path: '/management/api-clients',
      query: { 'signicat-accountId': SEED_ACCOUNT_ID },
      body: { name: 'replayed' },
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ name: 'replayed' });
    expect(journal()).toEqual(['POST /management/api-clients 401', TOKEN_200, 'POST /management/api-clients 201']);
    const after = (await control(sandbox, 'GET', 'state')).body as {
      signicat: { clients: { name: string }[] };
    };
    expect(after.signicat.clients.map((c) => c.name).filter((n) => n === 'replayed')).toHaveLength(1);
  });

  it('returns a second consecutive 401 to the caller (no loop)', async () => {
    // GIVEN tokens from one sandbox, which the API of another sandbox does not know
    const { sandbox: issuer } = await startSandbox();
    closers.push(() => issuer.close());
    const client = clientFor(source({ on: issuer }));
    // WHEN the caller makes one request
    const res = await client.request(list);
    // THEN the API saw exactly two attempts, both 401, and the caller gets the second one
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_token' });
    expect(journal()).toEqual(['GET /management/api-clients 401', 'GET /management/api-clients 401']);
    expect(journal(issuer)).toEqual([TOKEN_200, TOKEN_200]);
  });

  it('does not replay a streamed body: the 401 goes to the caller without a new token request', async () => {
    const src = source();
    const dispatcher = composeDispatcher(agent(), {
      auth: createOAuth2ClientCredentialsInterceptor(src),
    });
    await src.getToken();
    expect((await control(sandbox, 'POST', 'reset')).status).toBe(200);
    const res = await dispatcher.request({
      origin: sandbox.baseUrl,
      path: `/signicat/management/api-clients?signicat-accountId=${SEED_ACCOUNT_ID}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from([Buffer.from('{"name":"streamed"}')]),
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toMatchObject({ code: 'invalid_token' });
    expect(journal()).toEqual(['POST /management/api-clients 401']);
  });

  it('fails the request with APIACCESS_UNAUTHORIZED when the token endpoint refuses the secret, without calling the API', async () => {
    const secret = 'WrongS3cretThatMustNeverLeak0123456789abcdef';
    const client = clientFor(source({ secret }));
    const err = await client.request(list).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'client_secret' });
    expect(String(err)).not.toContain(secret);
    expect(journal()).toEqual([`POST ${TOKEN_PATH} 400`]);
  });
});

describe('third-party clients against the sandbox token endpoint', () => {
  it.each([
    ['body', 'client_secret_post'],
    ['header', 'client_secret_basic'],
  ] as const)('simple-oauth2 with authorizationMethod %s (%s) gets a working token', async (authorizationMethod, method) => {
    const proxy = await RecordingProxy.start(sandbox.baseUrl);
    closers.push(() => proxy.close());
    const oauth2 = new ClientCredentials({
      client: { id: SEED_CLIENT_ID, secret: SEED_CLIENT_SECRET },
      auth: { tokenHost: proxy.url, tokenPath: `/signicat${TOKEN_PATH}` },
      options: { authorizationMethod },
    });
    const accessToken = await oauth2.getToken({ scope: 'signicat-api' });
    expect(accessToken.token).toMatchObject({
      access_token: expect.any(String),
      expires_in: 600,
      token_type: 'Bearer',
      scope: 'signicat-api',
    });
    expect(accessToken.expired()).toBe(false);
    expect(proxy.seen).toHaveLength(1);
    const sent = proxy.seen[0]!;
    const form = new URLSearchParams(sent.body);
    if (method === 'client_secret_basic') {
      expect(sent.headers.authorization).toMatch(/^Basic /);
      expect(form.has('client_secret')).toBe(false);
    } else {
      expect(sent.headers.authorization).toBeUndefined();
      expect(form.get('client_secret')).toBe(SEED_CLIENT_SECRET);
    }
    expect(tokenCalls(sandbox).map((c) => c.status)).toEqual([200]);
    expect(await works(accessToken.token.access_token as string)).toBe(true);
  });

  it.each([
    ['the default (a secret string)', undefined, 'client_secret_post'],
    ['ClientSecretPost', (s: string) => oidc.ClientSecretPost(s), 'client_secret_post'],
    ['ClientSecretBasic', (s: string) => oidc.ClientSecretBasic(s), 'client_secret_basic'],
  ] as const)('openid-client v6 discovers the issuer and gets a working token with %s', async (_what, makeAuth, method) => {
    // GIVEN openid-client's own fetch, wrapped to record what it sends
    const sent: { url: string; headers: Headers; body: string }[] = [];
    const recordingFetch = (async (url: string, init: RequestInit) => {
      sent.push({
        url,
        headers: new Headers(init.headers),
        body: typeof init.body === 'string' ? init.body : String(init.body ?? ''),
      });
      return fetch(url, init);
    }) as unknown as oidc.CustomFetch;
    // WHEN it discovers the issuer and runs the client-credentials grant
    const config = await oidc.discovery(new URL(issuerOf(sandbox)), SEED_CLIENT_ID, SEED_CLIENT_SECRET, makeAuth?.(SEED_CLIENT_SECRET), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: recordingFetch,
    });
    expect(config.serverMetadata().issuer).toBe(issuerOf(sandbox));
    const tokens = await oidc.clientCredentialsGrant(config, {
      scope: 'signicat-api',
    });
    // THEN the token is valid at the API, and the chosen client authentication was used
    expect(tokens).toMatchObject({
      access_token: expect.any(String),
      expires_in: 600,
      token_type: 'bearer',
      scope: 'signicat-api',
    });
    expect(journal()).toEqual(['GET /auth/open/.well-known/openid-configuration 200', TOKEN_200]);
    const tokenRequest = sent.find((r) => r.url.endsWith(TOKEN_PATH))!;
    if (method === 'client_secret_basic') {
      const decoded = Buffer.from(tokenRequest.headers.get('authorization')!.replace(/^Basic /, ''), 'base64').toString();
      expect(decoded).toBe(`sandbox%2Dround%2Dapple%2D123:${SEED_CLIENT_SECRET}`);
    } else {
      expect(tokenRequest.headers.get('authorization')).toBeNull();
      expect(new URLSearchParams(tokenRequest.body).get('client_secret')).toBe(SEED_CLIENT_SECRET);
    }
    expect(await works(tokens.access_token)).toBe(true);
  });

  it('openid-client refuses an issuer that differs from the one discovered (trailing slash)', async () => {
    await expect(
      oidc.discovery(new URL(`${issuerOf(sandbox)}/`), SEED_CLIENT_ID, SEED_CLIENT_SECRET, undefined, { execute: [oidc.allowInsecureRequests] }),
    ).rejects.toMatchObject({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' });
  });
});

describe('issue 6: token endpoint refusals map to one code naming the setting to check', () => {
  const SECRET = 'S3cretThatMustNeverLeak0123456789abcdef';

  async function refusal(step: Step): Promise<{ err: ApiAccessError; server: ScriptedServer }> {
    const server = await ScriptedServer.start([step]);
    closers.push(() => server.close());
    const src = new OAuth2TokenSource({
      issuer: server.url,
      tokenEndpoint: `${server.url}/token`,
      clientId: 'managing-client',
      clientSecret: SECRET,
      scope: 'api',
      credentialFields: { clientId: 'key_id', clientSecret: 'key_secret' },
    });
    const err = await src.getToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ApiAccessError.isApiAccessError(err)).toBe(true);
    for (const text of [(err as Error).message, JSON.stringify(err), inspect(err, { depth: 5 })]) expect(text).not.toContain(SECRET);
    server.assertDone();
    return { err: err as ApiAccessError, server };
  }

  it('a 401 with a WWW-Authenticate challenge → APIACCESS_UNAUTHORIZED on the secret, without the library prose', async () => {
    const { err } = await refusal(reply(401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="token", error="invalid_client"' }));
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'key_secret', status: 401 });
    expect(err.message).not.toMatch(/WWW-Authenticate|challenge/i);
    expect(err.message).toContain('invalid_client');
  });

  it('an invalid_client body → APIACCESS_UNAUTHORIZED on the secret', async () => {
    const { err } = await refusal(reply(400, { error: 'invalid_client', error_description: 'Unknown client or wrong secret.' }));
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'key_secret', status: 400 });
  });

  it('an unauthorized_client body → APIACCESS_UNAUTHORIZED on the client ID', async () => {
    const { err } = await refusal(reply(400, { error: 'unauthorized_client' }));
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'key_id' });
  });

  it('other OAuth errors (invalid_scope, a non-401 challenge, a bad answer) stay APIACCESS_OAUTH_ERROR without a field', async () => {
    for (const step of [
      reply(400, { error: 'invalid_scope' }),
      reply(403, { error: 'access_denied' }, { 'www-authenticate': 'Bearer error="insufficient_scope"' }),
      reply(200, 'not json', { 'content-type': 'text/plain' }),
    ]) {
      const { err } = await refusal(step);
      expect(err.code).toBe(APIACCESS_OAUTH_ERROR);
      expect(err.field).toBeUndefined();
    }
  });
});

describe('issue 6: a failed token request is sent again (it creates nothing), capped and honouring Retry-After', () => {
  const source = (server: ScriptedServer): OAuth2TokenSource =>
    new OAuth2TokenSource({ issuer: server.url, tokenEndpoint: `${server.url}/token`, clientId: 'c', clientSecret: 'retry-secret-0123456789', scope: 'api' });
  const granted = reply(200, { access_token: 'tok-after-retry-0123456789', token_type: 'Bearer', expires_in: 300 });

  it('a connection reset, then a 503 with Retry-After: 0, then the token', async () => {
    const server = await ScriptedServer.start([destroySocket(), reply(503, { error: 'busy' }, { 'retry-after': '0' }), granted]);
    closers.push(() => server.close());
    const src = source(server);
    await expect(src.getToken()).resolves.toBe('tok-after-retry-0123456789');
    expect(server.requests).toHaveLength(3);
    expect(src.requests).toBe(3);
    server.assertDone();
  });

  it('gives up after 3 retries with APIACCESS_NETWORK_ERROR', async () => {
    const server = await ScriptedServer.start([destroySocket(), destroySocket(), destroySocket(), destroySocket()]);
    closers.push(() => server.close());
    await expect(source(server).getToken()).rejects.toMatchObject({ code: 'APIACCESS_NETWORK_ERROR' });
    expect(server.requests).toHaveLength(4);
  });

  it('a refusal (400 invalid_client) is not sent again', async () => {
    const server = await ScriptedServer.start([reply(400, { error: 'invalid_client' })]);
    closers.push(() => server.close());
    await expect(source(server).getToken()).rejects.toMatchObject({ code: 'APIACCESS_UNAUTHORIZED' });
    expect(server.requests).toHaveLength(1);
  });
});
