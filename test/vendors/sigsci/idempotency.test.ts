/**
 * Issue 6: Idempotency-Key on Signal Sciences' personal token create (PROPOSED
 * `POST /api/v0/user/apitokens`), scoped to the calling user; the core's errors in `{"message"}`.
 */
import { Sandbox } from '../../../src/sandbox/server';
import * as util from '../../../src/sandbox/util';
import { createSigSciEmulator, type SigSciEmulator, type SigSciState, sigsciTokenDigest } from '../../../src/vendors/sigsci/emulator';
import { type CreateRouteUnderTest, describeIdempotentCreate, keyedFetch, type KeyedAnswer } from '../../sandbox/_idempotency-contract';
import { OWNER, USER } from './_sandbox';

const started: Sandbox[] = [];
const closeAll = async (): Promise<void> => {
  jest.restoreAllMocks();
  await Promise.all(started.splice(0).map((s) => s.close()));
};

async function start(): Promise<Sandbox> {
  const sandbox = await Sandbox.start({ emulators: [createSigSciEmulator] });
  started.push(sandbox);
  return sandbox;
}

function post(sandbox: Sandbox, body: unknown, key?: string, as = OWNER): Promise<KeyedAnswer> {
  return keyedFetch(`${sandbox.baseUrl}/sigsci/api/v0/user/apitokens`, {
    method: 'POST',
    headers: { 'x-api-user': as.user, 'x-api-token': as.token, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
}

describeIdempotentCreate(
  'Signal Sciences POST /api/v0/user/apitokens',
  async (): Promise<CreateRouteUnderTest> => {
    const sandbox = await start();
    const emulator = sandbox.emulator<SigSciEmulator>('sigsci');
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [{ name: 'terraform' }, { name: 'pipeline' }],
      createdStatus: 200,
      send: (body, key) => post(sandbox, body, key),
      count: () => (emulator.snapshot() as SigSciState).tokens.length,
      secretOf: (a) => (a.body as { token: string }).token,
      failNextWith5xx: () => {
        // The token ID comes from randomHex: make the route itself fail once.
        jest.spyOn(util, 'randomHex').mockImplementationOnce(() => {
          throw new Error('no entropy');
        });
      },
      expectVendorError: (answer) => expect(answer.body).toEqual({ message: expect.any(String) }),
    };
  },
  closeAll,
);

describe("issue 6: Signal Sciences' shape for the core's answers", () => {
  afterEach(closeAll);

  it('404 and 405 answer {"message"}', async () => {
    const sandbox = await start();
    const missing = await keyedFetch(`${sandbox.baseUrl}/sigsci/api/v0/nothing`, { method: 'GET', headers: {} });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'No route for GET /sigsci/api/v0/nothing.' });
    const wrong = await keyedFetch(`${sandbox.baseUrl}/sigsci/api/v0/user/apitokens`, { method: 'PUT', headers: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(wrong.body).toEqual({ message: 'PUT is not allowed on /sigsci/api/v0/user/apitokens.' });
  });

  it('scopes a key to the calling user: another user with the same key and body gets their own token', async () => {
    const sandbox = await start();
    const emulator = sandbox.emulator<SigSciEmulator>('sigsci');
    const state = emulator.snapshot() as SigSciState;
    state.tokens.push({
      id: '0000000000000000000000bb',
      name: 'user token',
      email: 'user@example.com',
      tokenSha256: sigsciTokenDigest(USER.token),
      created: new Date(sandbox.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      lastUsed: '',
      lastUsedIP: '',
      lastUsedUserAgent: '',
    });
    emulator.restore(state);
    const mine = await post(sandbox, { name: 'shared' }, 'same-key');
    const theirs = await post(sandbox, { name: 'shared' }, 'same-key', USER);
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect((theirs.body as { token: string }).token).not.toBe((mine.body as { token: string }).token);
  });
});
