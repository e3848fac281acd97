/** Issue 11: Silobreaker's provider part: settings, credential check and the API key resource through the engine. */
import { silentLogger } from '../../../src/core/log';
import { APIACCESS_LOGIN_DELAYED, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../../src/core/errors';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { Sandbox } from '../../../src/sandbox/server';
import type { SilobreakerClient } from '../../../src/vendors/silobreaker/client';
import { asRefusedLogin, silobreakerProvider } from '../../../src/vendors/silobreaker/provider';
import { SEED_USER, startSandbox } from './_helpers';

let sandbox: Sandbox;

beforeEach(async () => {
  ({ sandbox } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
});

function client(password: string): SilobreakerClient {
  return silobreakerProvider.createClient({ base_url: `${sandbox.baseUrl}/silobreaker`, username: SEED_USER.username, password }, silentLogger);
}

describe('issue 11: silobreakerProvider', () => {
  it('declares username and password as credentials and base_url as its endpoint, password sensitive', () => {
    expect(silobreakerProvider.credentials).toEqual(['username', 'password']);
    expect(silobreakerProvider.endpoint).toBe('base_url');
    expect(silobreakerProvider.settings.password!.sensitive).toBe(true);
    expect(silobreakerProvider.settings.username!.sensitive).toBeFalsy();
  });

  it('verifyCredentials logs in once and changes nothing else', async () => {
    await silobreakerProvider.verifyCredentials!(client(SEED_USER.password), AbortSignal.timeout(10_000));
    expect(sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['POST /v1/login 200']);
  });

  it('a login Delay becomes APIACCESS_UNAUTHORIZED on password, keeping the remaining delay', () => {
    const delayed = new ApiAccessError(APIACCESS_LOGIN_DELAYED, 'silobreaker: login is delayed; the next attempt is allowed in 20 s.', {
      retryAfterSeconds: 20,
    });
    expect(asRefusedLogin(delayed)).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'password', retryAfterSeconds: 20 });
    const other = new Error('x');
    expect(asRefusedLogin(other)).toBe(other);
  });

  it('creates, reads and deletes an API key through the engine, keeping the shared key from the create', async () => {
    const engine = new ProviderEngine([silobreakerProvider], silentLogger, { APIACCESS_SANDBOX_URL: sandbox.baseUrl });
    expect((await engine.configure({})).hasErrors).toBe(false);
    const type = 'apiaccess_silobreaker_api_key';
    const config = { id: null, description: 'feeds', rotation_period: null, api_key: null, shared_key: null, created: null };
    const plan = engine.planResourceChange(type, null, config, config);
    expect(plan.diagnostics.hasErrors).toBe(false);
    const applied = await engine.applyResourceChange(type, null, plan.planned);
    expect(applied.diagnostics.items).toEqual([]);
    const state = applied.value!;
    expect(state).toMatchObject({ description: 'feeds', id: state.api_key });
    expect(typeof state.shared_key).toBe('string');
    const read = await engine.readResource(type, state);
    expect(read.value).toEqual(state);
    const idem = sandbox.calls('silobreaker').filter((c) => c.method === 'POST' && c.path === '/v1/apikeys');
    expect(idem).toHaveLength(1);
    const gone = await engine.applyResourceChange(type, state, null);
    expect(gone.value).toBeNull();
    expect((await engine.readResource(type, state)).value).toBeNull();
  });

  it('refuses an empty description at plan time with no vendor call', () => {
    const engine = new ProviderEngine([silobreakerProvider], silentLogger, { APIACCESS_SANDBOX_URL: sandbox.baseUrl });
    const config = { id: null, description: ' ', rotation_period: null, api_key: null, shared_key: null, created: null };
    const plan = engine.planResourceChange('apiaccess_silobreaker_api_key', null, config, config);
    expect(plan.diagnostics.items[0]).toMatchObject({ severity: 'error', path: ['description'] });
    expect(sandbox.calls('silobreaker')).toEqual([]);
  });
});
