/**
 * Issue 6: Idempotency-Key on Silobreaker's API-key create (PROPOSED `POST /v1/apikeys`, cookie
 * session), scoped to the logged-in user; the core's errors in the `{"Status", "Message"}` shape;
 * the session bound.
 */
import { Sandbox } from '../../../src/sandbox/server';
import { createSilobreakerEmulator, MAX_SESSIONS, SEED_PASSWORD, SEED_USERNAME, type SilobreakerEmulator } from '../../../src/vendors/silobreaker/emulator';
import { type CreateRouteUnderTest, describeIdempotentCreate, keyedFetch, type KeyedAnswer } from '../../sandbox/_idempotency-contract';

const started: Sandbox[] = [];
const closeAll = async (): Promise<void> => {
  jest.restoreAllMocks();
  await Promise.all(started.splice(0).map((s) => s.close()));
};

async function start(): Promise<{ sandbox: Sandbox; emulator: SilobreakerEmulator }> {
  const sandbox = await Sandbox.start({ emulators: [createSilobreakerEmulator] });
  started.push(sandbox);
  return { sandbox, emulator: sandbox.emulator<SilobreakerEmulator>('silobreaker') };
}

async function login(sandbox: Sandbox): Promise<string> {
  const res = await fetch(`${sandbox.baseUrl}/silobreaker/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Username: SEED_USERNAME, Password: SEED_PASSWORD }),
  });
  await res.text();
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function post(sandbox: Sandbox, body: unknown, key?: string): Promise<KeyedAnswer> {
  const cookie = await login(sandbox);
  return keyedFetch(`${sandbox.baseUrl}/silobreaker/v1/apikeys`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
}

describeIdempotentCreate(
  'Silobreaker POST /v1/apikeys',
  async (): Promise<CreateRouteUnderTest> => {
    const { sandbox, emulator } = await start();
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [{ Description: 'ci pipeline' }, { Description: 'nightly export' }],
      createdStatus: 200,
      send: (body, key) => post(sandbox, body, key),
      count: () => emulator.snapshot().apiKeys.length,
      secretOf: (a) => (a.body as { SharedKey: string }).SharedKey,
      failNextWith5xx: () => {
        jest.spyOn(emulator as unknown as { createKey: () => unknown }, 'createKey').mockImplementationOnce(() => ({ status: 503, body: { Status: 'Busy' } }));
      },
      expectVendorError: (answer, status) => {
        const body = answer.body as { Status: string; Message: string };
        expect(body).toEqual({ Status: status === 400 ? 'Invalid request' : expect.any(String), Message: expect.any(String) });
      },
    };
  },
  closeAll,
);

describe('issue 6: Silobreaker hardening', () => {
  afterEach(closeAll);

  it(`keeps at most ${MAX_SESSIONS} sessions (idle ones purged at login, then the oldest dropped)`, async () => {
    const { sandbox, emulator } = await start();
    const state = emulator.snapshot();
    const now = new Date(sandbox.clock.now()).toISOString();
    const idle = new Date(sandbox.clock.now() - 31 * 60_000).toISOString();
    state.sessions = [
      { Cookie: 'IDLE', Username: SEED_USERNAME, Created: idle, LastSeen: idle },
      ...Array.from({ length: MAX_SESSIONS }, (_, i) => ({ Cookie: `LIVE${i}`, Username: SEED_USERNAME, Created: now, LastSeen: now })),
    ];
    emulator.restore(state);
    const cookie = await login(sandbox);
    const sessions = emulator.snapshot().sessions;
    expect(sessions).toHaveLength(MAX_SESSIONS);
    expect(sessions.some((s) => s.Cookie === 'IDLE' || s.Cookie === 'LIVE0')).toBe(false);
    expect(sessions.at(-1)!.Cookie).toBe(cookie.split('=')[1]);
  });

  it('answers the core 404 in its {"Status", "Message"} shape', async () => {
    const { sandbox } = await start();
    const res = await keyedFetch(`${sandbox.baseUrl}/silobreaker/v2/nothing`, { method: 'GET', headers: {} });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ Status: 'Not Found', Message: 'No route for GET /silobreaker/v2/nothing.' });
  });
});
