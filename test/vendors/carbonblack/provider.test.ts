/**
 * Issue 9: Carbon Black's provider part through the engine on the sandbox — settings and the
 * sandbox seed (the key-admin CUSTOM key), credential check, apiaccess_carbonblack_api_key's
 * lifecycle (create once, read, update, regenerate in place, console regeneration, delete), the
 * cross-attribute rule and the data sources.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/core/log';
import { isUnknown, UNKNOWN } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { Sandbox } from '../../../src/sandbox/server';
import { createCarbonBlackEmulator, type CarbonBlackEmulator, SEED_KEY_ADMIN_KEY } from '../../../src/vendors/carbonblack/emulator';
import { carbonBlackProvider } from '../../../src/vendors/carbonblack/provider';
import { call, KEYS_PATH, token } from './_helpers';

const TYPE = 'apiaccess_carbonblack_api_key';
let sandbox: Sandbox;
let engine: ProviderEngine;
let budgetDir: string;

const config = (over: ObjectValue = {}): ObjectValue => ({
  id: null,
  name: 'splunk',
  description: null,
  access_level: 'SIEM',
  custom_access_level_id: null,
  allowed_ip_addresses: null,
  rotation_period: null,
  api_id: null,
  api_secret_key: null,
  x_auth_token: null,
  secret_issued_at: null,
  created: null,
  updated: null,
  ...over,
});

async function create(over: ObjectValue = {}): Promise<ObjectValue> {
  const plan = engine.planResourceChange(TYPE, null, config(over), config(over));
  expect(plan.diagnostics.hasErrors).toBe(false);
  const applied = await engine.applyResourceChange(TYPE, null, plan.planned);
  expect(applied.diagnostics.items).toEqual([]);
  return applied.value!;
}

beforeEach(async () => {
  sandbox = await Sandbox.start({ emulators: [createCarbonBlackEmulator] });
  budgetDir = mkdtempSync(join(tmpdir(), 'cb-budget-'));
  // The client's shared budget reads the process environment: each test gets a budget of its own.
  process.env.APIACCESS_BUDGET_DIR = budgetDir;
  engine = new ProviderEngine([carbonBlackProvider], silentLogger, { APIACCESS_SANDBOX_URL: sandbox.baseUrl, APIACCESS_BUDGET_DIR: budgetDir });
  expect((await engine.configure({})).items).toEqual([]);
});

afterEach(async () => {
  await sandbox.close();
  rmSync(budgetDir, { recursive: true, force: true });
  delete process.env.APIACCESS_BUDGET_DIR;
});

describe('issue 9: carbonBlackProvider', () => {
  it('declares api_id and api_secret_key as credentials (the secret sensitive) and base_url as its endpoint; the sandbox seed is the key-admin CUSTOM key', () => {
    expect(carbonBlackProvider.credentials).toEqual(['api_id', 'api_secret_key']);
    expect(carbonBlackProvider.endpoint).toBe('base_url');
    expect(Object.keys(carbonBlackProvider.settings).sort()).toEqual(['api_id', 'api_secret_key', 'base_url', 'org_key']);
    expect(carbonBlackProvider.settings.api_secret_key!.sensitive).toBe(true);
    expect(carbonBlackProvider.sandboxSettings('http://x')).toMatchObject({
      base_url: 'http://x/carbonblack',
      api_id: SEED_KEY_ADMIN_KEY.apiId,
      org_key: 'ABCD1234',
    });
  });

  it('creates a key once (with an Idempotency-Key) whose x_auth_token opens the routes of its level', async () => {
    const s = await create({ allowed_ip_addresses: ['198.51.100.0/24', '127.0.0.1'] });
    expect(s.x_auth_token).toBe(`${String(s.api_secret_key)}/${String(s.api_id)}`);
    expect(s.id).toBe(s.api_id);
    expect(s.allowed_ip_addresses).toEqual(['127.0.0.1', '198.51.100.0/24']);
    expect(s.secret_issued_at).toBe(s.created);
    const posts = sandbox.calls('carbonblack').filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(sandbox.emulator<CarbonBlackEmulator>('carbonblack').idempotencyKeys()).toHaveLength(1);
    expect((await call(sandbox, 'GET', '/carbonblack/integrationServices/v3/notification', { token: String(s.x_auth_token) })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/carbonblack/integrationServices/v3/device', { token: String(s.x_auth_token) })).status).toBe(401);
  });

  it('reads what the vendor holds, updates in place with a partial PUT, and deletes', async () => {
    const s = await create();
    const emulator = sandbox.emulator<CarbonBlackEmulator>('carbonblack');
    expect((await engine.readResource(TYPE, s)).value).toEqual(s);
    const next = config({ name: 'splunk-2', allowed_ip_addresses: ['203.0.113.0/24'] });
    const plan = engine.planResourceChange(TYPE, s, { ...s, ...next, id: s.id }, next);
    expect(plan.requiresReplace).toEqual([]);
    expect(isUnknown(plan.planned!.updated!)).toBe(true);
    const updated = (await engine.applyResourceChange(TYPE, s, plan.planned)).value!;
    expect(updated).toMatchObject({ name: 'splunk-2', allowed_ip_addresses: ['203.0.113.0/24'], api_secret_key: s.api_secret_key });
    expect(emulator.apiKey(String(s.id))?.name).toBe('splunk-2');
    expect((await engine.applyResourceChange(TYPE, updated, null)).diagnostics.items).toEqual([]);
    expect(emulator.apiKey(String(s.id))).toBeUndefined();
    expect((await engine.readResource(TYPE, updated)).value).toBeNull();
  });

  it('rejects custom_access_level_id without CUSTOM and CUSTOM without it at plan, naming the attribute', () => {
    for (const bad of [config({ custom_access_level_id: 1002 }), config({ access_level: 'CUSTOM' })]) {
      const plan = engine.planResourceChange(TYPE, null, bad, bad);
      expect(plan.diagnostics.items).toEqual([
        expect.objectContaining({ severity: 'error', summary: 'Invalid Attribute Combination', path: ['custom_access_level_id'] }),
      ]);
    }
    const unknown = config({ access_level: UNKNOWN, custom_access_level_id: 1002 });
    expect(engine.planResourceChange(TYPE, null, unknown, unknown).diagnostics.hasErrors).toBe(false);
    const ok = config({ access_level: 'CUSTOM', custom_access_level_id: 1002 });
    expect(engine.planResourceChange(TYPE, null, ok, ok).diagnostics.hasErrors).toBe(false);
  });

  it('a console regeneration makes the stored secret stale: the plan regenerates in place with the reason, and the new secret works', async () => {
    const s = await create();
    sandbox.clock.advance(60_000);
    const res = await call(sandbox, 'POST', `${KEYS_PATH}/${String(s.api_id)}/_regenerate`, { token: token(SEED_KEY_ADMIN_KEY) });
    expect(res.status).toBe(200);
    const refreshed = (await engine.readResource(TYPE, s)).value!;
    expect(refreshed.secret_issued_at).toBeNull();
    expect(refreshed.api_secret_key).toBe(s.api_secret_key);
    const plan = engine.planResourceChange(TYPE, refreshed, { ...refreshed }, config());
    expect(plan.requiresReplace).toEqual([]);
    expect(isUnknown(plan.planned!.api_secret_key!)).toBe(true);
    expect(isUnknown(plan.planned!.x_auth_token!)).toBe(true);
    expect(plan.diagnostics.items).toEqual([
      expect.objectContaining({ severity: 'warning', summary: 'Secret Regenerated Outside Terraform', path: ['api_secret_key'] }),
    ]);
    const applied = (await engine.applyResourceChange(TYPE, refreshed, plan.planned)).value!;
    expect(applied.api_secret_key).not.toBe(s.api_secret_key);
    expect(typeof applied.secret_issued_at).toBe('string');
    expect((await call(sandbox, 'GET', '/carbonblack/integrationServices/v3/notification', { token: String(applied.x_auth_token) })).status).toBe(200);
    expect((await call(sandbox, 'GET', '/carbonblack/integrationServices/v3/notification', { token: String(s.x_auth_token) })).status).toBe(401);
    const after = (await engine.readResource(TYPE, applied)).value!;
    expect(engine.planResourceChange(TYPE, after, { ...after }, config()).diagnostics.items).toEqual([]);
  });

  it('a console edit of a field shows as that field’s drift, not as a stale secret', async () => {
    const s = await create();
    sandbox.clock.advance(60_000);
    expect((await call(sandbox, 'PUT', `${KEYS_PATH}/${String(s.api_id)}`, { token: token(SEED_KEY_ADMIN_KEY), json: { name: 'renamed' } })).status).toBe(200);
    const refreshed = (await engine.readResource(TYPE, s)).value!;
    expect(refreshed).toMatchObject({ name: 'renamed', secret_issued_at: s.secret_issued_at });
  });

  it('rotation due regenerates the secret in place (no replacement) with the warning "Rotation Due"', async () => {
    const s = await create({ rotation_period: '1h' });
    const old = { ...s, secret_issued_at: new Date(Date.now() - 2 * 3600_000).toISOString() };
    const plan = engine.planResourceChange(TYPE, old, { ...old }, config({ rotation_period: '1h' }));
    expect(plan.requiresReplace).toEqual([]);
    expect(isUnknown(plan.planned!.api_secret_key!)).toBe(true);
    expect(plan.diagnostics.items).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Rotation Due', path: ['rotation_period'] })]);
    const applied = (await engine.applyResourceChange(TYPE, old, plan.planned)).value!;
    expect(applied.api_id).toBe(s.api_id);
    expect(applied.api_secret_key).not.toBe(s.api_secret_key);
    expect(sandbox.calls('carbonblack').filter((c) => c.method === 'POST' && c.path.endsWith('/_regenerate'))).toHaveLength(1);
  });

  it('data sources: every key (never a secret) filtered by level and name prefix; the custom access levels', async () => {
    await create({ name: 'siem-a' });
    await create({ name: 'siem-b', access_level: 'API' });
    const keys = await engine.other.readDataSource('apiaccess_carbonblack_api_keys', { access_level: 'SIEM', name_prefix: 'siem-', keys: null });
    const list = keys.value!.keys as ObjectValue[];
    expect(list.map((k) => k.name)).toEqual(['siem-a']);
    expect(Object.keys(list[0]!).sort()).toEqual([
      'access_level',
      'allowed_ip_addresses',
      'api_id',
      'created',
      'custom_access_level_id',
      'description',
      'name',
      'updated',
    ]);
    const all = await engine.other.readDataSource('apiaccess_carbonblack_api_keys', { access_level: null, name_prefix: null, keys: null });
    expect((all.value!.keys as ObjectValue[]).length).toBe(6);
    const admins = await engine.other.readDataSource('apiaccess_carbonblack_access_levels', { permission: 'org.api_keys', access_levels: null });
    expect(admins.value!.access_levels).toEqual([{ id: 1001, name: 'API Key Administrator', permissions: ['org.api_keys'] }]);
    const levels = await engine.other.readDataSource('apiaccess_carbonblack_access_levels', { permission: null, access_levels: null });
    expect(levels.value!.access_levels).toEqual([
      { id: 1001, name: 'API Key Administrator', permissions: ['org.api_keys'] },
      { id: 1002, name: 'Auditor', permissions: ['org.audits'] },
    ]);
  });
});
