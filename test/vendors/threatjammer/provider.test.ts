/**
 * Issue 10: Threat Jammer's provider part on the sandbox — the key shape checked before anything
 * is sent, credentials verified with GET /v1/token (a disabled key too), a regenerated key named as
 * the provider setting to fix, the missing-Bearer 401 blamed on the provider, the api_key resource
 * (adoption, enabled drift, rotation by regeneration, a second instance refused at plan, destroy
 * disables) and the quota warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock';
import { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_BAD_RESPONSE, APIACCESS_INVALID_ARGUMENT, APIACCESS_UNAUTHORIZED } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { isUnknown, type CtyValue } from '../../../src/provider/framework/cty';
import type { ObjectValue, ResourceContext } from '../../../src/provider/framework/resource';
import type { Sandbox } from '../../../src/sandbox/server';
import { processTokenResponse, type ThreatJammerClient } from '../../../src/vendors/threatjammer/client';
import { DETAIL_MISSING_BEARER, type ThreatJammerEmulator } from '../../../src/vendors/threatjammer/emulator';
import { createApiKeyHandler } from '../../../src/vendors/threatjammer/handlers/api-key';
import { quotaDataSource } from '../../../src/vendors/threatjammer/handlers/data-sources';
import { threatJammerProvider } from '../../../src/vendors/threatjammer/provider';
import { keyProblem } from '../../../src/vendors/threatjammer/spec/key-format';
import { threatJammerHost } from '../../../src/vendors/threatjammer/spec/settings';
import { rejection, thrown } from '../../support/helpers';
import { call, DAY_MS, SEED_API_KEY, START, startSandbox } from './_sandbox';

let sandbox: Sandbox;
let clock: ManualClock;
let emulator: ThreatJammerEmulator;
let budgets: string;
const savedBudgetDir = process.env.APIACCESS_BUDGET_DIR;

beforeEach(async () => {
  budgets = mkdtempSync(join(tmpdir(), 'apiaccess-tj-budget-'));
  process.env.APIACCESS_BUDGET_DIR = budgets;
  ({ sandbox, clock, emulator } = await startSandbox());
});

afterEach(async () => {
  await sandbox.close();
  rmSync(budgets, { recursive: true, force: true });
  if (savedBudgetDir === undefined) delete process.env.APIACCESS_BUDGET_DIR;
  else process.env.APIACCESS_BUDGET_DIR = savedBudgetDir;
});

const client = (key = SEED_API_KEY): ThreatJammerClient =>
  threatJammerProvider.createClient({ api_key: key, base_url: `${sandbox.baseUrl}/threatjammer`, region: null }, silentLogger);

function context(c: ThreatJammerClient): ResourceContext<ThreatJammerClient> {
  return {
    client: c,
    diagnostics: new Diagnostics(),
    logger: silentLogger,
    signal: AbortSignal.timeout(20_000),
    createOnce: () => Promise.reject(new Error('no create: the key is adopted')),
  };
}

const managementCalls = () => sandbox.calls('threatjammer').filter((c) => c.method !== 'GET');

describe('issue 10: the key shape, checked before anything is sent', () => {
  it.each([
    ['tja_abc', 'is 7 characters long, expected 40'],
    [`tja_${'A'.repeat(36)}\n`, 'is 41 characters long (it ends in whitespace: a copied line break?), expected 40'],
    [`tja_${'A'.repeat(10)}_${'B'.repeat(25)}`, 'has "_" at position 15, which is not base-62'],
    [`TJA_${'A'.repeat(36)}`, 'does not start with "tja_" (position 1 differs)'],
    [`Bearer tja_${'A'.repeat(36)}`, 'starts with "Bearer "'],
  ])('%j: %s, and the key is never echoed', (key, words) => {
    const problem = keyProblem(key)!;
    expect(problem).toContain(words);
    expect(problem).not.toContain(key.trim());
    expect(keyProblem(SEED_API_KEY)).toBeUndefined();
  });

  it('createClient refuses a malformed key (from the environment) with APIACCESS_INVALID_ARGUMENT on api_key, before any call', () => {
    const key = `tja_${'x'.repeat(35)}`;
    const err = thrown(() => client(key));
    expect(err).toMatchObject({ code: APIACCESS_INVALID_ARGUMENT, field: 'api_key' });
    expect(err.message).toContain('threatjammer_api_key is 39 characters long');
    expect(err.message).not.toContain(key);
    expect(sandbox.calls('threatjammer')).toEqual([]);
  });

  it('threatjammer_region picks the host; the default is Dublin; the sandbox supplies its own host and seed key', () => {
    expect(threatJammerHost('dublin')).toBe('https://dublin.api.threatjammer.com');
    expect(threatJammerProvider.sandboxSettings('http://127.0.0.1:1')).toEqual({ base_url: 'http://127.0.0.1:1/threatjammer', api_key: SEED_API_KEY });
    expect(threatJammerProvider.credentials).toEqual(['api_key']);
    expect(threatJammerProvider.endpoint).toBe('base_url');
    expect(threatJammerProvider.settings.api_key!.sensitive).toBe(true);
  });
});

describe('issue 10: verifyCredentials', () => {
  it('reads GET /v1/token once, also for a disabled key (so `enabled` drift can be planned)', async () => {
    const c = client();
    await threatJammerProvider.verifyCredentials!(c, AbortSignal.timeout(10_000));
    await c.disableKey();
    await threatJammerProvider.verifyCredentials!(c, AbortSignal.timeout(10_000));
    expect(sandbox.calls('threatjammer').map((x) => `${x.method} ${x.path} ${x.status}`)).toEqual([
      'GET /v1/token 200',
      'PUT /v1/token/disable 204',
      'GET /v1/token 200',
    ]);
  });

  it('a key regenerated on the website: APIACCESS_UNAUTHORIZED on api_key, saying it no longer works and what to set', async () => {
    const regenerated = await call(sandbox, 'POST', '/v1/token/regenerate', { key: SEED_API_KEY });
    const newKey = (regenerated.body as { api_key: string }).api_key;
    const err = await rejection(threatJammerProvider.verifyCredentials!(client(), AbortSignal.timeout(10_000)));
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'api_key' });
    expect(err.message).toContain("the provider's key no longer works");
    expect(err.message).toContain('regenerated');
    expect(err.message).toContain('threatjammer_api_key');
    for (const secret of [SEED_API_KEY, newKey]) expect(err.message).not.toContain(secret);
  });

  it('a 401 for a missing Bearer prefix is blamed on the provider (or a proxy), not the key', () => {
    const body = { title: 'Unauthorized', detail: DETAIL_MISSING_BEARER, type: 'x', 'type:': 'x' };
    const err = thrown(() => processTokenResponse({ status: 401, headers: {}, text: JSON.stringify(body), json: <T>() => body as T }));
    expect(err.code).toBe(APIACCESS_BAD_RESPONSE);
    expect(err.message).toContain('without its "Bearer" prefix');
    expect(err.message).toContain('the API key itself was not judged');
  });
});

describe('issue 10: apiaccess_threatjammer_api_key', () => {
  const handler = () => createApiKeyHandler({ clock });
  const config = (over: ObjectValue = {}): ObjectValue => ({ enabled: true, disable_on_destroy: true, rotation_period: null, ...over });

  it('create adopts the key (no vendor create) and switches it to `enabled`; read shows the key switched back outside Terraform', async () => {
    const c = client();
    const state = await handler().create({ planned: config({ enabled: false }) }, context(c));
    expect(state).toMatchObject({ id: 'aws-eu-west-3', enabled: false, status: 'DISABLED', value: SEED_API_KEY, disable_on_destroy: true });
    expect(managementCalls().map((x) => x.path)).toEqual(['/v1/token/disable']);
    await call(sandbox, 'PUT', '/v1/token/enable', { key: SEED_API_KEY });
    expect(await handler().read({ state }, context(c))).toMatchObject({ enabled: true, status: 'ENABLED' });
  });

  it('rotation due on the clock: the plan marks value unknown with "Rotation Due"; apply regenerates and the client switches keys', async () => {
    const c = client();
    const h = handler();
    const prior = await h.create({ planned: config({ rotation_period: '720h' }) }, context(c));
    const planned: ObjectValue = { ...prior };
    const diags = new Diagnostics();
    h.modifyPlan!({ prior, planned, config: config({ rotation_period: '720h' }), requiresReplace: [] }, diags);
    expect(planned.value).toBe(prior.value);
    clock.advance(31 * DAY_MS);
    h.modifyPlan!({ prior, planned, config: config({ rotation_period: '720h' }), requiresReplace: [] }, diags);
    expect(isUnknown(planned.value as CtyValue)).toBe(true);
    expect(diags.items.map((d) => d.summary)).toEqual(['Rotation Due']);
    const ctx = context(c);
    const next = await h.update({ prior, planned }, ctx);
    expect(next.value).toMatch(/^tja_[0-9A-Za-z]{36}$/);
    expect(next.value).not.toBe(SEED_API_KEY);
    expect(next.rotation_period).toBe('720h');
    expect(next.created_at).toBe(new Date(START + 31 * DAY_MS).toISOString());
    expect(ctx.diagnostics.items.map((d) => d.summary)).toEqual(['API Key Regenerated']);
    expect((await call(sandbox, 'GET', '/test', { key: SEED_API_KEY })).status).toBe(401);
    expect(c.currentKey()).toBe(next.value);
    expect(await h.read({ state: next }, context(c))).toMatchObject({ value: next.value, enabled: true });
  });

  it('a second instance for the same user is a plan error; the apply-time check of the first is not counted', async () => {
    const c = client();
    const h = handler();
    const planned = config({ id: null, value: null });
    const first = context(c);
    await h.checkPlan!({ prior: null, planned, phase: 'plan' }, first);
    await h.checkPlan!({ prior: null, planned, phase: 'apply' }, first);
    expect(first.diagnostics.items).toEqual([]);
    const second = context(c);
    await h.checkPlan!({ prior: null, planned, phase: 'plan' }, second);
    expect(second.diagnostics.items.map((d) => d.summary)).toEqual(['Second Threat Jammer API Key']);
    expect(second.diagnostics.items[0]!.detail).toContain('exactly one key');
  });

  it('destroy disables the key, unless disable_on_destroy is false', async () => {
    const c = client();
    const state = await handler().create({ planned: config() }, context(c));
    await handler().delete({ state: { ...state, disable_on_destroy: false } }, context(c));
    expect(emulator.user(SEED_API_KEY).key.status).toBe('ENABLED');
    await handler().delete({ state }, context(c));
    expect(emulator.user(SEED_API_KEY).key.status).toBe('DISABLED');
  });
});

describe('issue 10: apiaccess_threatjammer_quota', () => {
  it.each([
    [4499, []],
    [4500, ['Threat Jammer Monthly Quota Nearly Used']],
  ])('with %i of 5000 monthly calls used, the warnings are %j', async (used, warnings) => {
    const doc = emulator.snapshot();
    doc.users[0]!.month.used = used;
    emulator.restore(doc);
    const ctx = context(client());
    const got = await quotaDataSource.read({ config: { warn_at_percent: null } }, ctx);
    expect(ctx.diagnostics.items.map((d) => d.summary)).toEqual(warnings);
    expect(got).toMatchObject({ last_month_bucket_value: used, monthly_remaining: 5000 - used, last_month_bucket_init_value: 5000, warn_at_percent: 90 });
    expect(got.last_month_bucket_refresh).toBe(new Date(got.last_month_bucket_refresh_ms as number).toISOString());
  });
});
