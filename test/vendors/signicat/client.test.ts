/**
 * SignicatClient against a real sandbox with the Signicat emulator: the API-client and secret
 * lifecycle, Signicat's validation errors as coded ApiAccessErrors, the managing client's OAuth 2.0
 * login with both client authentication methods, and the retry-safe creates (a lost answer must
 * never leave a duplicate client or an orphan secret behind).
 *
 * All outbound traffic goes through one seam: an undici Agent per test, wrapped by an interceptor
 * that records what was sent and can drop one answer after the sandbox has handled the request.
 */
import { Agent, type Dispatcher } from 'undici';
import { clearTokenCache } from '../../../src/auth/oauth2-client-credentials';
import { reply, ScriptedServer } from '../../auth/_server';
import { APIACCESS_NOT_FOUND, APIACCESS_UNAUTHORIZED, APIACCESS_VENDOR_REJECTED } from '../../../src/core/errors';
import { Sandbox } from '../../../src/sandbox/server';
import { SignicatClient, type SignicatClientConfig } from '../../../src/vendors/signicat/client';
import { createSignicatEmulator, type SignicatEmulator } from '../../../src/vendors/signicat/emulator';
import { rejection } from '../../support/helpers';

const MANAGING_CLIENT_ID = 'sandbox-round-apple-123';
const MANAGING_SECRET = 'fakeCl13n7S3Cr3T1234567890';
const ACCOUNT_ID = 'a-spge-sandbox00000000000001';

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

let sandbox: Sandbox;
let emulator: SignicatEmulator;
let agent: Agent;
/** Every request that left the client, in order. */
let sent: Sent[];
/** When set, the answer to the next request this predicate picks is replaced by a socket error (the sandbox still handles it). */
let dropNextAnswer: ((opts: Dispatcher.DispatchOptions) => boolean) | undefined;

function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) out[k.toLowerCase()] = String(v);
  } else if (headers) for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function bodyText(body: Dispatcher.DispatchOptions['body']): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (body instanceof URLSearchParams) return body.toString();
  return '';
}

/** A controller for failing a request that was never dispatched. */
const idleController = {
  abort: () => undefined,
  pause: () => undefined,
  resume: () => undefined,
  paused: false,
  aborted: false,
  reason: null,
} as unknown as Dispatcher.DispatchController;

/** Sends `opts` on, or loses its answer after the server answered when {@link dropNextAnswer} picks it. */
function forward(dispatch: Dispatcher['dispatch'], opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
  sent.push({ method: opts.method, path: opts.path, headers: headerRecord(opts.headers), body: bodyText(opts.body) });
  if (!dropNextAnswer?.(opts)) return dispatch(opts, handler);
  dropNextAnswer = undefined;
  const lost = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  return dispatch(opts, {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onResponseStart: () => undefined,
    onResponseData: () => undefined,
    onResponseEnd: (controller) => handler.onResponseError?.(controller, lost),
    onResponseError: (controller, err) => handler.onResponseError?.(controller, err),
  });
}

/**
 * The one seam: records each request (a streamed body, as fetch sends the token request, is read
 * into a Buffer first) and, on demand, loses one answer after the server answered.
 */
const seam: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const body = opts.body as unknown;
  if (body && typeof body === 'object' && Symbol.asyncIterator in body) {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    })().then(
      (buffered) => forward(dispatch, { ...opts, body: buffered }, handler),
      (err: Error) => handler.onResponseError?.(idleController, err),
    );
    return true;
  }
  return forward(dispatch, opts, handler);
};

beforeEach(async () => {
  clearTokenCache();
  sandbox = await Sandbox.start({ emulators: [createSignicatEmulator] });
  emulator = sandbox.emulator<SignicatEmulator>('signicat');
  agent = new Agent();
  sent = [];
  dropNextAnswer = undefined;
});
afterEach(async () => {
  await agent.close();
  await sandbox.close();
});

function client(extra: Partial<SignicatClientConfig> = {}): SignicatClient {
  return new SignicatClient({
    baseUrl: `${sandbox.baseUrl}/signicat`,
    clientId: MANAGING_CLIENT_ID,
    clientSecret: MANAGING_SECRET,
    accountId: ACCOUNT_ID,
    dispatcher: agent.compose(seam),
    ...extra,
  });
}

/** The calls the sandbox saw, as `METHOD path status`. */
function calls(): string[] {
  return sandbox.calls('signicat').map((c) => `${c.method} ${c.path} ${c.status}${c.unmatched ? ' unmatched' : ''}`);
}

async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'signicat', ...fault }),
  });
  expect(res.status).toBe(201);
}

const TOKEN = 'POST /auth/open/connect/token 200';
const CLIENTS = '/management/api-clients';

describe('API clients: create, get, update, set permissions, delete', () => {
  it('runs the whole lifecycle with exactly the expected calls', async () => {
    const c = client();

    const created = await c.createApiClient({ name: 'ci deploy', accessTokenLifetime: 900 });
    expect(created).toEqual({
      id: expect.stringMatching(/^sandbox-[a-z]+-[a-z]+-\d{3}$/),
      name: 'ci deploy',
      accountId: ACCOUNT_ID,
      accessTokenLifetime: 900,
      createdAt: expect.any(String),
      permissions: [],
      secrets: [],
    });
    expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
    const id = created.id;

    expect(await c.getApiClient(id)).toEqual(created);
    expect((await c.listApiClients()).map((x) => x.id).sort()).toEqual([id, MANAGING_CLIENT_ID].sort());

    const renamed = await c.updateApiClient(id, { name: 'ci deploy (renamed)' });
    expect(renamed).toMatchObject({ id, name: 'ci deploy (renamed)', accessTokenLifetime: 900 });
    const relived = await c.updateApiClient(id, { accessTokenLifetime: 60 });
    expect(relived).toMatchObject({ id, name: 'ci deploy (renamed)', accessTokenLifetime: 60 });

    const withPerms = await c.setPermissions(id, ['sessions:write', 'authentication:read', 'sessions:write']);
    expect(withPerms.permissions).toEqual(['authentication:read', 'sessions:write']);
    expect((await c.getApiClient(id))?.permissions).toEqual(['authentication:read', 'sessions:write']);
    expect((await c.setPermissions(id, [])).permissions).toEqual([]);

    expect(await c.deleteApiClient(id)).toBe(true);
    expect(await c.getApiClient(id)).toBeNull();
    expect(await c.deleteApiClient(id)).toBe(false);
    expect(emulator.client(id)).toBeUndefined();

    expect(calls()).toEqual([
      TOKEN,
      `POST ${CLIENTS} 201`,
      `GET ${CLIENTS}/${id} 200`,
      `GET ${CLIENTS} 200`,
      `PATCH ${CLIENTS}/${id} 200`,
      `PATCH ${CLIENTS}/${id} 200`,
      `PUT ${CLIENTS}/${id}/permissions 200`,
      `GET ${CLIENTS}/${id} 200`,
      `PUT ${CLIENTS}/${id}/permissions 200`,
      `DELETE ${CLIENTS}/${id} 204`,
      `GET ${CLIENTS}/${id} 404`,
      `DELETE ${CLIENTS}/${id} 404`,
    ]);
    // Every management call names the account and carries the bearer token, never the managing secret.
    for (const s of sent.filter((x) => x.path.includes(CLIENTS))) {
      expect(s.path).toContain(`signicat-accountId=${ACCOUNT_ID}`);
      expect(s.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(JSON.stringify(s)).not.toContain(MANAGING_SECRET);
    }
  });

  it('leaves accessTokenLifetime to Signicat when not given (600 s)', async () => {
    const created = await client().createApiClient({ name: 'defaults' });
    expect(created.accessTokenLifetime).toBe(600);
  });

  it('getApiClient of an unknown id is null', async () => {
    expect(await client().getApiClient('sandbox-no-such-000')).toBeNull();
    expect(calls()).toEqual([TOKEN, `GET ${CLIENTS}/sandbox-no-such-000 404`]);
  });

  it('percent-encodes ids as one path segment', async () => {
    expect(await client().getApiClient('../secrets?x=1')).toBeNull();
    expect(sent.at(-1)?.path).toMatch(/^\/signicat\/management\/api-clients\/\.\.%2Fsecrets%3Fx%3D1\?/);
  });
});

describe('issue 6: the permission catalogue', () => {
  it('getPermissionCatalogue lists every <product>:<action> the account offers, read-only', async () => {
    const catalogue = await client().getPermissionCatalogue();
    expect(catalogue).toEqual(expect.arrayContaining(['api-clients:manage', 'authentication:read', 'authentication:write', 'sessions:read']));
    expect(catalogue).not.toContain('authentication:delete');
    expect(calls()).toEqual(['POST /auth/open/connect/token 200', 'GET /management/permissions 200']);
  });

  it('getPermissionCatalogue is null when the vendor serves no catalogue (404), so callers skip the check', async () => {
    const server = await ScriptedServer.start([
      reply(200, { access_token: 'scripted-token-0001', token_type: 'Bearer', expires_in: 600 }),
      reply(404, { title: 'Not found.' }),
    ]);
    try {
      expect(await client({ baseUrl: server.url, dispatcher: undefined }).getPermissionCatalogue()).toBeNull();
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /auth/open/connect/token',
        `GET /management/permissions?signicat-accountId=${ACCOUNT_ID}`,
      ]);
      server.assertDone();
    } finally {
      await server.close();
    }
  });
});

describe('API client validation errors', () => {
  it.each([
    [0, /between 1 and 3600 seconds/],
    [3601, /between 1 and 3600 seconds/],
    [1.5, /must be an integer number of seconds/],
  ])('create with accessTokenLifetime %p → APIACCESS_VENDOR_REJECTED on field accessTokenLifetime', async (lifetime, rule) => {
    const c = client();
    const err = await rejection(() => c.createApiClient({ name: 'bad lifetime', accessTokenLifetime: lifetime }));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.status).toBe(400);
    expect(err.field).toBe('accessTokenLifetime');
    expect(err.message).toMatch(rule);
    expect((await c.listApiClients()).filter((x) => x.name === 'bad lifetime')).toEqual([]);
  });

  it('update with a bad lifetime → APIACCESS_VENDOR_REJECTED on accessTokenLifetime, and nothing changes', async () => {
    const c = client();
    const { id } = await c.createApiClient({ name: 'keep', accessTokenLifetime: 120 });
    const err = await rejection(() => c.updateApiClient(id, { accessTokenLifetime: 7200 }));
    expect(err).toMatchObject({ code: APIACCESS_VENDOR_REJECTED, field: 'accessTokenLifetime' });
    expect(err.message).toMatch(/between 1 and 3600 seconds/);
    expect((await c.getApiClient(id))?.accessTokenLifetime).toBe(120);
  });

  it('an empty name → APIACCESS_VENDOR_REJECTED on field name', async () => {
    const err = await rejection(() => client().createApiClient({ name: ' ' }));
    expect(err).toMatchObject({ code: APIACCESS_VENDOR_REJECTED, field: 'name' });
  });

  it.each([
    ['Authentication:Read', /shape <product>:<action>/],
    ['nocolon', /shape <product>:<action>/],
    ['no-such-product:read', /unknown product "no-such-product"/],
    ['authentication:delete', /has no action "delete"/],
  ])('setPermissions with %p → APIACCESS_VENDOR_REJECTED on field permissions', async (bad, rule) => {
    const c = client();
    const { id } = await c.createApiClient({ name: 'perms' });
    await c.setPermissions(id, ['sessions:read']);
    const err = await rejection(() => c.setPermissions(id, ['authentication:read', bad]));
    expect(err.code).toBe(APIACCESS_VENDOR_REJECTED);
    expect(err.field).toBe('permissions');
    expect(err.message).toMatch(rule);
    expect((await c.getApiClient(id))?.permissions).toEqual(['sessions:read']);
  });

  it('update of an unknown client is APIACCESS_NOT_FOUND', async () => {
    const err = await rejection(() => client().updateApiClient('sandbox-no-such-000', { name: 'x' }));
    expect(err.code).toBe(APIACCESS_NOT_FOUND);
  });
});

describe('client secrets', () => {
  it('createSecret returns a 48-character value once; listSecrets never includes it; the value logs in', async () => {
    const c = client();
    const { id } = await c.createApiClient({ name: 'with secret' });
    const created = await c.createSecret(id, 'rotation-1');
    expect(created).toEqual({ id: expect.any(String), name: 'rotation-1', createdAt: expect.any(String), secret: expect.stringMatching(/^[A-Za-z0-9]{48}$/) });

    const listed = await c.listSecrets(id);
    expect(listed).toEqual([{ id: created.id, name: 'rotation-1', createdAt: created.createdAt }]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(JSON.stringify(await c.getApiClient(id))).not.toContain(created.secret);
    expect(JSON.stringify(await c.listApiClients())).not.toContain(created.secret);

    // The value really is the client's secret: the new client can get a token with it.
    const asNewClient = new SignicatClient({
      baseUrl: `${sandbox.baseUrl}/signicat`,
      clientId: id,
      clientSecret: created.secret,
      accountId: ACCOUNT_ID,
      dispatcher: agent,
    });
    await expect(asNewClient.tokens.getToken()).resolves.toEqual(expect.any(String));
  });

  it('createSecret without a name gives name null; deleteSecret twice → true then false', async () => {
    const c = client();
    const { id } = await c.createApiClient({ name: 'unnamed secret' });
    const created = await c.createSecret(id, null);
    expect(created.name).toBeNull();
    expect(await c.deleteSecret(id, created.id)).toBe(true);
    expect(await c.deleteSecret(id, created.id)).toBe(false);
    expect(await c.listSecrets(id)).toEqual([]);
  });

  it('createSecret for an unknown client → APIACCESS_NOT_FOUND on field client_id', async () => {
    const err = await rejection(() => client().createSecret('sandbox-no-such-000', 'x'));
    expect(err.code).toBe(APIACCESS_NOT_FOUND);
    expect(err.field).toBe('client_id');
    expect(err.status).toBe(404);
    expect(calls()).toEqual([TOKEN, `POST ${CLIENTS}/sandbox-no-such-000/secrets 404`]);
  });

  it('listSecrets for an unknown client → APIACCESS_NOT_FOUND on field client_id', async () => {
    const err = await rejection(() => client().listSecrets('sandbox-no-such-000'));
    expect(err).toMatchObject({ code: APIACCESS_NOT_FOUND, field: 'client_id' });
  });
});

describe('the managing client login', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('works with authMethod %s and sends the secret only that way', async (authMethod) => {
    const c = client({ authMethod });
    expect((await c.listApiClients()).map((x) => x.id)).toEqual([MANAGING_CLIENT_ID]);
    expect(c.tokens.requests).toBe(1);

    const tokenRequests = sent.filter((s) => s.path.endsWith('/auth/open/connect/token'));
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]!.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('signicat-api');
    if (authMethod === 'client_secret_basic') {
      expect(tokenRequests[0]!.headers.authorization).toMatch(/^Basic /);
      expect(form.get('client_secret')).toBeNull();
    } else {
      expect(tokenRequests[0]!.headers.authorization).toBeUndefined();
      expect(form.get('client_id')).toBe(MANAGING_CLIENT_ID);
      expect(form.get('client_secret')).toBe(MANAGING_SECRET);
    }
    expect(calls()).toEqual([TOKEN, `GET ${CLIENTS} 200`]);
  });

  it('reuses the token for later calls', async () => {
    const c = client();
    await c.listApiClients();
    await c.getApiClient(MANAGING_CLIENT_ID);
    expect(c.tokens.requests).toBe(1);
  });

  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    'issue 6: a wrong managing secret (%s) → APIACCESS_UNAUTHORIZED naming client_secret, with no secret in message or JSON',
    async (authMethod) => {
      const wrong = 'wrongS3cr3tValue-0000000000';
      const err = await rejection(() => client({ authMethod, clientSecret: wrong }).listApiClients());
      expect(err.code).toBe(APIACCESS_UNAUTHORIZED);
      expect(err.field).toBe('client_secret');
      expect(err.message).not.toMatch(/WWW-Authenticate|challenge/i);
      for (const text of [err.message, JSON.stringify(err), JSON.stringify(err.body ?? null), String(err.stack)]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(MANAGING_SECRET);
      }
      expect(calls()).toEqual([`POST /auth/open/connect/token ${authMethod === 'client_secret_basic' ? 401 : 400}`]);
    },
  );
});

describe('issue 6: creates are identified by their idempotency key, never by name', () => {
  const keyOf = (i: number): string | undefined => sent.filter((x) => x.method === 'POST' && !x.path.includes('/token'))[i]?.headers['idempotency-key'];

  it('API client: the connection is reset before the request arrives → sent again under the same key, created exactly once', async () => {
    const c = client();
    await c.listApiClients(); // the token first, so the fault hits the create
    sandbox.journal.length = 0;
    sent.length = 0;
    await injectFault({ status: 'reset', count: 1 });

    const created = await c.createApiClient({ name: 'retry-safe' }, undefined, 'key-reset-1');
    expect(
      emulator
        .snapshot()
        .clients.filter((x) => x.name === 'retry-safe')
        .map((x) => x.id),
    ).toEqual([created.id]);
    expect(calls().filter((x) => x.startsWith('POST '))).toEqual([`POST ${CLIENTS} 0`, `POST ${CLIENTS} 201`]);
    expect([keyOf(0), keyOf(1)]).toEqual(['key-reset-1', 'key-reset-1']);
    // Nothing was looked up by name.
    expect(calls().filter((x) => x.startsWith('GET '))).toEqual([]);
  });

  it('API client: the create happens but its answer is lost → the repeat under the same key gets the first answer replayed', async () => {
    const c = client();
    await c.listApiClients();
    sandbox.journal.length = 0;
    dropNextAnswer = (opts) => opts.method === 'POST' && opts.path.split('?')[0]!.endsWith(CLIENTS);

    const created = await c.createApiClient({ name: 'answer lost' }, undefined, 'key-lost-1');
    expect(
      emulator
        .snapshot()
        .clients.filter((x) => x.name === 'answer lost')
        .map((x) => x.id),
    ).toEqual([created.id]);
    expect(calls().filter((x) => x.startsWith('POST '))).toEqual([`POST ${CLIENTS} 201`, `POST ${CLIENTS} 201`]);
  });

  it('API client: a pre-existing client with the same name is never adopted or deleted', async () => {
    const c = client();
    const other = await c.createApiClient({ name: 'worker' }, undefined, 'another-team');
    sandbox.journal.length = 0;
    dropNextAnswer = (opts) => opts.method === 'POST' && opts.path.split('?')[0]!.endsWith(CLIENTS);

    const mine = await c.createApiClient({ name: 'worker' }, undefined, 'key-worker-1');
    expect(mine.id).not.toBe(other.id);
    expect(
      emulator
        .snapshot()
        .clients.filter((x) => x.name === 'worker')
        .map((x) => x.id)
        .sort(),
    ).toEqual([other.id, mine.id].sort());
    expect(calls().filter((x) => x.startsWith('DELETE '))).toEqual([]);
  });

  it('API client: without a key a create whose connection was reset is not sent again (POST is not retried)', async () => {
    const c = client();
    await c.listApiClients();
    sandbox.journal.length = 0;
    await injectFault({ status: 'reset', count: 1 });

    await expect(c.createApiClient({ name: 'no key' })).rejects.toMatchObject({ code: 'APIACCESS_NETWORK_ERROR' });
    expect(calls().filter((x) => x.startsWith('POST '))).toEqual([`POST ${CLIENTS} 0`]);
  });

  it('secret: the answer is lost → the replay under the same key carries the same once-visible value; one secret exists', async () => {
    const c = client();
    const { id } = await c.createApiClient({ name: 'secret lost' }, undefined, 'key-secret-parent');
    sandbox.journal.length = 0;
    dropNextAnswer = (opts) => opts.method === 'POST' && opts.path.split('?')[0]!.endsWith('/secrets');

    const created = await c.createSecret(id, null, undefined, 'key-secret-1');
    expect(created.secret).toMatch(/^[A-Za-z0-9]{48}$/);
    expect((emulator.client(id)?.secrets ?? []).map((s) => s.id)).toEqual([created.id]);
    expect(calls().filter((x) => x.startsWith('POST '))).toEqual([`POST ${CLIENTS}/${id}/secrets 201`, `POST ${CLIENTS}/${id}/secrets 201`]);
    expect(calls().filter((x) => x.startsWith('DELETE '))).toEqual([]);
    // The replayed value is the one the sandbox issued: it works at the token endpoint.
    await expect(client({ clientId: id, clientSecret: created.secret }).tokens.getToken()).resolves.toEqual(expect.any(String));
  });
});

describe('issue 12: paginated lists', () => {
  it('listApiClients follows the next cursors: 250 clients in 3 pages of at most 100', async () => {
    const doc = emulator.snapshot();
    const seed = doc.clients[0]!;
    const many = Array.from({ length: 249 }, (_, i) => ({ ...seed, id: `sandbox-page-${i}`, name: `page-${i}`, secrets: [] }));
    sandbox.restore({ signicat: { ...doc, clients: [...doc.clients, ...many] } });
    sandbox.journal.length = 0;
    const all = await client().listApiClients();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id)).size).toBe(250);
    expect(calls().filter((c) => c.startsWith('GET '))).toEqual([`GET ${CLIENTS} 200`, `GET ${CLIENTS} 200`, `GET ${CLIENTS} 200`]);
  });

  it('the sandbox refuses a limit outside 1..100 and a cursor it never gave out', async () => {
    const token = await client().tokens.getToken();
    const get = (query: string) =>
      fetch(`${sandbox.baseUrl}/signicat${CLIENTS}?signicat-accountId=${ACCOUNT_ID}&${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get('limit=0')).status).toBe(400);
    expect((await get('limit=101')).status).toBe(400);
    expect((await get('cursor=bm9wZQ')).status).toBe(400);
    const first = (await (await get('limit=1')).json()) as { data: unknown[]; next?: string };
    expect(first.data).toHaveLength(1);
    expect(first.next).toBeUndefined();
  });
});
