/**
 * Issue 6: Idempotency-Key on Carbon Black's API-key create and regenerate routes (PROPOSED v6
 * shape), the core's errors in the `{"success": false, "message"}` envelope, and the audit-log bound.
 */
import { Sandbox } from '../../../src/sandbox/server';
import { createCarbonBlackEmulator, SEED_KEY_ADMIN_KEY } from '../../../src/vendors/carbonblack/emulator';
import * as apiKeys from '../../../src/vendors/carbonblack/emulator/api-keys';
import { MAX_WINDOW_CALLS } from '../../../src/vendors/carbonblack/emulator/auth';
import type { CarbonBlackEmulator } from '../../../src/vendors/carbonblack/emulator';
import type { CarbonBlackState } from '../../../src/vendors/carbonblack/emulator/state';
import { type CreateRouteUnderTest, describeIdempotentCreate, keyedFetch, type KeyedAnswer } from '../../sandbox/_idempotency-contract';
import { call, KEYS_PATH, token } from './_helpers';

const started: Sandbox[] = [];
const closeAll = async (): Promise<void> => {
  jest.restoreAllMocks();
  await Promise.all(started.splice(0).map((s) => s.close()));
};

async function start(): Promise<{ sandbox: Sandbox; emulator: CarbonBlackEmulator }> {
  const sandbox = await Sandbox.start({ emulators: [createCarbonBlackEmulator] });
  started.push(sandbox);
  return { sandbox, emulator: sandbox.emulator<CarbonBlackEmulator>('carbonblack') };
}

function expectEnvelope(answer: KeyedAnswer, _status: number): void {
  expect(answer.body).toEqual({ success: false, message: expect.any(String) });
}

function post(sandbox: Sandbox, path: string, body: unknown, key?: string): Promise<KeyedAnswer> {
  return keyedFetch(`${sandbox.baseUrl}${KEYS_PATH}${path}`, {
    method: 'POST',
    headers: {
      'x-auth-token': token(SEED_KEY_ADMIN_KEY),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describeIdempotentCreate(
  'Carbon Black POST /appservices/v6/orgs/:orgKey/api_keys',
  async (): Promise<CreateRouteUnderTest> => {
    const { sandbox, emulator } = await start();
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [
        { name: 'siem-export', access_level_type: 'SIEM' },
        { name: 'api-reader', access_level_type: 'API' },
      ],
      createdStatus: 201,
      send: (body, key) => post(sandbox, '', body, key),
      count: () => emulator.snapshot().apiKeys.length,
      secretOf: (a) => (a.body as { api_secret_key: string }).api_secret_key,
      failNextWith5xx: () => {
        jest.spyOn(apiKeys, 'createKey').mockImplementationOnce(() => ({ status: 503, body: { success: false, message: 'busy' } }));
      },
      expectVendorError: expectEnvelope,
    };
  },
  closeAll,
);

describeIdempotentCreate(
  'Carbon Black POST /appservices/v6/orgs/:orgKey/api_keys/:apiId/_regenerate',
  async (): Promise<CreateRouteUnderTest> => {
    const { sandbox, emulator } = await start();
    const made = await post(sandbox, '', { name: 'rotating', access_level_type: 'API' });
    const apiId = (made.body as { api_id: string }).api_id;
    const regenerations = (s: CarbonBlackState): number => s.auditLog.filter((e) => e.description.startsWith('Generated new credentials')).length;
    return {
      sandbox,
      store: emulator.idempotency,
      bodies: [{}, undefined],
      createdStatus: 200,
      send: (body, key) => post(sandbox, `/${apiId}/_regenerate`, body, key),
      count: () => regenerations(emulator.snapshot()),
      secretOf: (a) => (a.body as { api_secret_key: string }).api_secret_key,
      failNextWith5xx: () => {
        jest.spyOn(apiKeys, 'regenerateKey').mockImplementationOnce(() => {
          throw new Error('key store unavailable');
        });
      },
      expectVendorError: expectEnvelope,
    };
  },
  closeAll,
);

describe('issue 6: Carbon Black hardening', () => {
  afterEach(closeAll);

  it('answers the core 404 and 405 in the success/message envelope', async () => {
    const { sandbox } = await start();
    const missing = await call(sandbox, 'GET', '/carbonblack/nothing-here', { token: token(SEED_KEY_ADMIN_KEY) });
    expect(missing).toEqual({ status: 404, body: { success: false, message: 'No route for GET /carbonblack/nothing-here.' } });
    const wrong = await call(sandbox, 'PATCH', KEYS_PATH, { token: token(SEED_KEY_ADMIN_KEY) });
    expect(wrong.status).toBe(405);
    expect(wrong.body).toEqual({ success: false, message: expect.stringContaining('PATCH is not allowed') });
  });

  it(`keeps at most ${apiKeys.MAX_AUDIT_LOG} audit-log entries, oldest dropped, and moves readers' cursors with them`, async () => {
    const { sandbox, emulator } = await start();
    const state = emulator.snapshot();
    const template = state.auditLog[0] ?? {
      requestUrl: '',
      eventTime: 0,
      eventId: 'x',
      loginName: 'x',
      orgName: 'x',
      flagged: false,
      clientIp: '127.0.0.1',
      verbose: false,
      description: 'x',
    };
    state.auditLog = Array.from({ length: apiKeys.MAX_AUDIT_LOG }, (_, i) => ({ ...template, eventId: `old-${i}` }));
    state.cursors[SEED_KEY_ADMIN_KEY.apiId] = { notifications: 0, auditlogs: apiKeys.MAX_AUDIT_LOG };
    emulator.restore(state);
    expect((await post(sandbox, '', { name: 'one-more', access_level_type: 'API' })).status).toBe(201);
    const after = emulator.snapshot();
    expect(after.auditLog).toHaveLength(apiKeys.MAX_AUDIT_LOG);
    expect(after.auditLog[0]!.eventId).toBe('old-1');
    expect(after.auditLog.at(-1)!.description).toContain('one-more');
    // The reader had seen everything before; it now sits just before the new entry.
    expect(after.cursors[SEED_KEY_ADMIN_KEY.apiId]!.auditlogs).toBe(apiKeys.MAX_AUDIT_LOG - 1);
  });

  it(`keeps at most ${MAX_WINDOW_CALLS} call times per key in the rate window when enforcement is off`, async () => {
    const { sandbox, emulator } = await start();
    emulator.setRateLimitEnforced(false);
    const state = emulator.snapshot();
    const now = sandbox.clock.now();
    state.rateWindows[SEED_KEY_ADMIN_KEY.apiId] = Array.from({ length: MAX_WINDOW_CALLS }, () => now - 1_000);
    emulator.restore(state);
    expect((await call(sandbox, 'GET', KEYS_PATH, { token: token(SEED_KEY_ADMIN_KEY) })).status).toBe(200);
    const window = emulator.snapshot().rateWindows[SEED_KEY_ADMIN_KEY.apiId]!;
    expect(window).toHaveLength(MAX_WINDOW_CALLS);
    expect(window.at(-1)).toBeGreaterThanOrEqual(now);
  });

  it('writes the audit log requestUrl on the sandbox base URL, never the Host header', async () => {
    const { sandbox, emulator } = await start();
    await post(sandbox, '', { name: 'host-check', access_level_type: 'API' });
    const entry = emulator.snapshot().auditLog.at(-1)!;
    expect(entry.requestUrl).toBe(`${sandbox.baseUrl}${KEYS_PATH}`);
  });
});
