/**
 * Issue 11: apiaccess_silobreaker_password through the engine against the sandbox: the new password
 * comes from the configuration (write-only), is set with changepassword and proven by a login; the
 * old one then gets Delay; nothing of it reaches plan or state; policy failures name password_wo; a
 * wrong current password is one refused login, reported on silobreaker_password.
 */
import { silentLogger } from '../../../src/core/log';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { Sandbox } from '../../../src/sandbox/server';
import { SilobreakerClient } from '../../../src/vendors/silobreaker/client';
import { silobreakerProvider } from '../../../src/vendors/silobreaker/provider';
import { call, SEED_USER, startSandbox } from './_helpers';
import { Agent } from 'undici';

const T = 'apiaccess_silobreaker_password';
const NEW = 'Rotated-Passw0rd-2026';
const CAPS = { writeOnlyAttributesAllowed: true };
let sandbox: Sandbox;
let agent: Agent;

beforeEach(async () => {
  ({ sandbox } = await startSandbox());
  agent = new Agent();
});

afterEach(async () => {
  await agent.close();
  await sandbox.close();
});

/** The provider with one login attempt per login (a Delay fails at once instead of being waited out). */
function engine(password = SEED_USER.password): ProviderEngine {
  const vendor: VendorProvider<SilobreakerClient> = {
    ...silobreakerProvider,
    createClient: () => new SilobreakerClient({ baseUrl: `${sandbox.baseUrl}/silobreaker`, username: SEED_USER.username, password, maxLoginAttempts: 1 }),
  };
  return new ProviderEngine([vendor as VendorProvider], silentLogger, {});
}

async function login(password: string): Promise<unknown> {
  return (await call(agent, sandbox, { path: '/v1/login', method: 'POST', body: JSON.stringify({ Username: SEED_USER.username, Password: password }) })).body;
}

describe('issue 11: apiaccess_silobreaker_password', () => {
  it('rotates: changepassword with the configured value, a login with the new one; the old one then gets Delay', async () => {
    const e = engine();
    const config = { id: null, password_wo: NEW, password_wo_version: 1, changed_at: null };
    const plan = e.planResourceChange(T, null, config, config, CAPS);
    expect(plan.diagnostics.items).toEqual([]);
    expect(plan.planned!.password_wo).toBeNull();
    const applied = await e.applyResourceChange(T, null, plan.planned, config);
    expect(applied.diagnostics.items).toEqual([]);
    expect(applied.value).toMatchObject({ id: SEED_USER.username, password_wo: null, password_wo_version: 1 });
    expect(JSON.stringify(applied.value)).not.toContain(NEW);
    expect(sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /v1/login 200',
      'POST /v1/changepassword 200',
      'POST /v1/logout 200',
      'POST /v1/login 200',
    ]);
    expect(await login(NEW)).toMatchObject({ Status: 'Success' });
    expect(await login(SEED_USER.password)).toMatchObject({ Status: 'Delay' });
  });

  it('a version bump sets the new value again; the same version changes nothing', async () => {
    const e = engine();
    const v1 = { id: null, password_wo: NEW, password_wo_version: 1, changed_at: null };
    const first = (await e.applyResourceChange(T, null, e.planResourceChange(T, null, v1, v1, CAPS).planned, v1)).value!;
    const same = e.planResourceChange(T, first, { ...first, password_wo: 'Another-Passw0rd-1' }, { ...v1, password_wo: 'Another-Passw0rd-1' }, CAPS);
    expect(same.planned).toEqual(first);
    const v2 = { ...v1, password_wo: 'Another-Passw0rd-1', password_wo_version: 2 };
    const plan = e.planResourceChange(T, first, { ...first, ...v2, id: first.id }, v2, CAPS);
    const updated = await e.applyResourceChange(T, first, plan.planned, v2);
    expect(updated.diagnostics.items).toEqual([]);
    expect(updated.value).toMatchObject({ password_wo: null, password_wo_version: 2 });
    expect(sandbox.calls('silobreaker').filter((c) => c.path === '/v1/changepassword')).toHaveLength(2);
  });

  it('a password the policy refuses fails the plan on password_wo with no vendor call', () => {
    const config = { id: null, password_wo: 'short', password_wo_version: 1, changed_at: null };
    const plan = engine().planResourceChange(T, null, config, config, CAPS);
    expect(plan.diagnostics.items).toEqual([expect.objectContaining({ severity: 'error', path: ['password_wo'] })]);
    expect(plan.diagnostics.items[0]!.detail).not.toContain('short');
    expect(sandbox.calls('silobreaker')).toEqual([]);
  });

  it('a wrong current password is one refused login, reported on silobreaker_password, and nothing is changed', async () => {
    const e = engine('Wrong-Passw0rd-0000');
    const config = { id: null, password_wo: NEW, password_wo_version: 1, changed_at: null };
    const applied = await e.applyResourceChange(T, null, e.planResourceChange(T, null, config, config, CAPS).planned, config);
    expect(applied.value).toBeNull();
    expect(applied.diagnostics.items[0]).toMatchObject({ severity: 'error', summary: 'Invalid Provider Credentials' });
    expect(applied.diagnostics.items[0]!.detail).toContain('silobreaker_password');
    expect(applied.diagnostics.items[0]!.detail).toMatch(/next attempt is allowed in \d+ s/);
    expect(JSON.stringify(applied.diagnostics.items)).not.toContain('Wrong-Passw0rd-0000');
    expect(sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v1/login']);
  });
});
