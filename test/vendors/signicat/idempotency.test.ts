/**
 * Issue 6: Idempotency-Key on Signicat's create routes (API client, client secret), the OIDC issuer
 * that never follows the Host header, and the bounded access-token map.
 */
import { Sandbox } from '../../../src/sandbox/server';
import { createSignicatEmulator, MAX_TOKENS, SEED_ACCOUNT_ID, type SignicatEmulator } from '../../../src/vendors/signicat/emulator';
import { type CreateRouteUnderTest, describeIdempotentCreate, keyedFetch, type KeyedAnswer } from '../../sandbox/_idempotency-contract';
import { parseRaw, rawSocket } from '../../sandbox/_fake';
import { CLIENTS_PATH, ERROR_TYPE, fetchToken } from './_sandbox';

const started: Sandbox[] = [];
const closeAll = async (): Promise<void> => {
  await Promise.all(started.splice(0).map((s) => s.close()));
};

async function start(): Promise<{ sandbox: Sandbox; emulator: SignicatEmulator }> {
  const sandbox = await Sandbox.start({ emulators: [createSignicatEmulator] });
  started.push(sandbox);
  return { sandbox, emulator: sandbox.emulator<SignicatEmulator>('signicat') };
}

function expectSignicatError(answer: KeyedAnswer, status: number): void {
  expect(answer.body).toEqual({
    type: ERROR_TYPE,
    title: expect.any(String),
    detail: expect.any(String),
    code: expect.any(String),
    status,
    traceId: expect.any(String),
  });
}

async function post(sandbox: Sandbox, path: string, body: unknown, key?: string): Promise<KeyedAnswer> {
  const token = await fetchToken(sandbox);
  return keyedFetch(`${sandbox.baseUrl}/signicat${CLIENTS_PATH}${path}?signicat-accountId=${SEED_ACCOUNT_ID}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
}

describeIdempotentCreate(
  'Signicat POST /management/api-clients',
  async (): Promise<CreateRouteUnderTest> => {
    const { sandbox, emulator } = await start();
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [{ name: 'backend' }, { name: 'frontend' }],
      createdStatus: 201,
      send: (body, key) => post(sandbox, '', body, key),
      count: () => emulator.snapshot().clients.length,
      // A client has no secret yet: its generated ID is what must not change on a replay.
      secretOf: (a) => (a.body as { id: string }).id,
      failNextWith5xx: () => {
        jest.spyOn(emulator as unknown as { createClient: () => unknown }, 'createClient').mockImplementationOnce(() => ({ status: 503, body: {} }));
      },
      expectVendorError: expectSignicatError,
    };
  },
  closeAll,
);

describeIdempotentCreate(
  'Signicat POST /management/api-clients/:clientId/secrets',
  async (): Promise<CreateRouteUnderTest> => {
    const { sandbox, emulator } = await start();
    const client = (await post(sandbox, '', { name: 'holder' })).body as { id: string };
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [{ name: 'ci' }, { name: 'cd' }],
      createdStatus: 201,
      send: (body, key) => post(sandbox, `/${client.id}/secrets`, body, key),
      count: () => emulator.client(client.id)!.secrets.length,
      secretOf: (a) => (a.body as { secret: string }).secret,
      failNextWith5xx: () => {
        jest.spyOn(emulator as unknown as { addSecret: () => unknown }, 'addSecret').mockImplementationOnce(() => {
          throw new Error('secret store unavailable');
        });
      },
      expectVendorError: expectSignicatError,
    };
  },
  closeAll,
);

describe('issue 6: Signicat hardening', () => {
  afterEach(closeAll);

  it('a Host: evil.example header changes neither the discovery issuer nor the token endpoint nor the token iss', async () => {
    const { sandbox } = await start();
    const { socket, received, closed } = await rawSocket(sandbox);
    socket.write('GET /signicat/auth/open/.well-known/openid-configuration HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
    await closed;
    const doc = parseRaw(received()).body as { issuer: string; token_endpoint: string; jwks_uri: string };
    const issuer = `${sandbox.baseUrl}/signicat/auth/open`;
    expect(doc.issuer).toBe(issuer);
    expect(doc.token_endpoint).toBe(`${issuer}/connect/token`);
    expect(JSON.stringify(doc)).not.toContain('evil.example');

    const tokenSocket = await rawSocket(sandbox);
    const form = 'grant_type=client_credentials&scope=signicat-api&client_id=sandbox-round-apple-123&client_secret=fakeCl13n7S3Cr3T1234567890';
    tokenSocket.socket.write(
      `POST /signicat/auth/open/connect/token HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\nConnection: close\r\n\r\n${form}`,
    );
    await tokenSocket.closed;
    const token = (parseRaw(tokenSocket.received()).body as { access_token: string }).access_token;
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iss: string };
    expect(payload.iss).toBe(issuer);
  });

  it(`keeps at most ${MAX_TOKENS} access tokens, oldest dropped, and purges expired ones`, async () => {
    const { sandbox, emulator } = await start();
    const state = emulator.snapshot();
    const now = sandbox.clock.now();
    for (let i = 0; i < MAX_TOKENS; i++) state.tokens[`live-${i}`] = { clientId: 'sandbox-round-apple-123', expiresAt: now + 3_600_000 };
    state.tokens['expired-0'] = { clientId: 'sandbox-round-apple-123', expiresAt: now - 1 };
    emulator.restore(state);
    const token = await fetchToken(sandbox);
    const tokens = emulator.snapshot().tokens;
    expect(Object.keys(tokens)).toHaveLength(MAX_TOKENS);
    expect(tokens['expired-0']).toBeUndefined();
    expect(tokens['live-0']).toBeUndefined();
    expect(tokens[`live-${MAX_TOKENS - 1}`]).toBeDefined();
    // The newest token works.
    const res = await keyedFetch(`${sandbox.baseUrl}/signicat${CLIENTS_PATH}?signicat-accountId=${SEED_ACCOUNT_ID}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
