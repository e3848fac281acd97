/**
 * issue 14: the Signicat API-client handler through the provider engine, against the real Signicat
 * emulator and the real client (no stand-in): plan, create, read, delete; shape validation; the
 * permission catalogue at plan and again at apply; import; permissions the vendor refuses at create.
 */
import { clearTokenCache } from '../../../src/auth/oauth2-client-credentials';
import { silentLogger } from '../../../src/core/log';
import { UNKNOWN } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import type { Sandbox } from '../../../src/sandbox/server';
import type { SignicatEmulator } from '../../../src/vendors/signicat/emulator';
import { signicatProvider } from '../../../src/vendors/signicat/provider';
import { CLIENTS_PATH, SEED_ACCOUNT_ID, SEED_CLIENT_ID, startSandbox } from './_sandbox';

const TYPE = 'apiaccess_signicat_api_client';
const CATALOGUE_PATH = '/management/permissions';

let sandbox: Sandbox;
let emulator: SignicatEmulator;
let engine: ProviderEngine;

const config = (over: ObjectValue = {}): ObjectValue => ({
  id: null,
  name: null,
  permissions: null,
  access_token_lifetime: null,
  account_id: null,
  created_at: null,
  ...over,
});

/** The Signicat management calls made so far, as "METHOD path" with client IDs as :id (token requests left out). */
const managementCalls = (): string[] =>
  sandbox
    .calls('signicat')
    .filter((c) => c.path.startsWith('/management/'))
    .map((c) => `${c.method} ${c.path.replace(/\/api-clients\/[^/]+/, '/api-clients/:id')}`);

/** Terraform's plan: the shape half, then the vendor half. */
async function plan(cfg: ObjectValue, prior: ObjectValue | null = null) {
  const shaped = engine.planResourceChange(TYPE, prior, cfg, cfg);
  if (shaped.diagnostics.hasErrors || shaped.planned === null) return { planned: shaped.planned, diagnostics: shaped.diagnostics.items };
  const checked = await engine.checkPlannedChange(TYPE, prior, shaped.planned);
  return { planned: shaped.planned, diagnostics: [...shaped.diagnostics.items, ...checked.items] };
}

beforeEach(async () => {
  clearTokenCache();
  ({ sandbox, emulator } = await startSandbox());
  engine = new ProviderEngine([signicatProvider], silentLogger, { APIACCESS_SANDBOX_URL: sandbox.baseUrl });
  expect((await engine.configure({})).items).toEqual([]);
});

afterEach(async () => {
  await sandbox.close();
});

describe('issue 14: the Signicat API-client handler against the emulator', () => {
  it('plans, creates (permissions set after the create), reads what the vendor holds and deletes', async () => {
    const cfg = config({ name: 'ci', permissions: ['authentication:read'] });
    const planned = await plan(cfg);
    expect(planned.diagnostics).toEqual([]);
    expect(planned.planned).toEqual({ ...cfg, access_token_lifetime: 600, id: UNKNOWN, account_id: UNKNOWN, created_at: UNKNOWN });

    const applied = await engine.applyResourceChange(TYPE, null, planned.planned, cfg);
    expect(applied.diagnostics.items).toEqual([]);
    const state = applied.value!;
    expect(state).toMatchObject({ name: 'ci', permissions: ['authentication:read'], access_token_lifetime: 600, account_id: SEED_ACCOUNT_ID });
    expect(emulator.snapshot()).toMatchObject({ clients: expect.arrayContaining([expect.objectContaining({ id: state.id, name: 'ci' })]) });
    // The catalogue once (at plan; cached for the apply's check), then the create and the permissions.
    expect(managementCalls()).toEqual([`GET ${CATALOGUE_PATH}`, `POST ${CLIENTS_PATH}`, `PUT ${CLIENTS_PATH}/:id/permissions`]);

    expect((await engine.readResource(TYPE, state)).value).toEqual(state);
    const deleted = await engine.applyResourceChange(TYPE, state, null);
    expect(deleted.diagnostics.items).toEqual([]);
    expect((await engine.readResource(TYPE, state)).value).toBeNull();
    expect((emulator.snapshot() as { clients: { id: string }[] }).clients.map((c) => c.id)).toEqual([SEED_CLIENT_ID]);
  });

  it('a permission of the wrong shape fails validation on permissions, saying what is allowed, with no vendor call', () => {
    const diags = engine.validateResourceConfig(TYPE, config({ name: 'ci', permissions: ['Admin'] })).items;
    expect(diags).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Invalid Attribute Value',
        detail: expect.stringContaining('<product>:<action>'),
        path: ['permissions'],
      }),
    ]);
    expect(managementCalls()).toEqual([]);
  });

  it('a permission missing from the catalogue fails the plan on permissions, listing allowed ones; known only at apply, it is refused before the create', async () => {
    const cfg = config({ name: 'ci', permissions: ['authentication:read', 'authentication:delete'] });
    const planned = await plan(cfg);
    expect(planned.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Unknown Permission',
        detail: expect.stringContaining('permissions contains "authentication:delete", which the Signicat account does not offer'),
        path: ['permissions'],
      }),
    ]);

    const late = await plan({ ...cfg, permissions: UNKNOWN });
    expect(late.diagnostics).toEqual([]);
    const applied = await engine.applyResourceChange(TYPE, null, { ...late.planned!, permissions: ['authentication:delete'] }, cfg);
    expect(applied.diagnostics.items.map((d) => d.summary)).toEqual(['Unknown Permission']);
    expect(applied.value).toBeNull();
    expect(managementCalls()).toEqual([`GET ${CATALOGUE_PATH}`]);
  });

  it('import returns the ID with every other attribute null, and the next read fills them from the vendor', async () => {
    const imported = await engine.importResourceState(TYPE, ` ${SEED_CLIENT_ID} `);
    expect(imported.value).toEqual(config({ id: SEED_CLIENT_ID }));
    expect((await engine.readResource(TYPE, imported.value!)).value).toMatchObject({ id: SEED_CLIENT_ID, account_id: SEED_ACCOUNT_ID });
  });

  it('permissions the vendor refuses at create: an error on permissions, and the created client is kept in state, not lost', async () => {
    // No catalogue this time (Signicat may not serve one): the plan cannot check, the vendor's PUT decides.
    expect((await engine.readResource(TYPE, config({ id: SEED_CLIENT_ID }))).diagnostics.items).toEqual([]);
    sandbox.faults.push({ vendor: 'signicat', status: 404, latencyMs: 0, count: 1, ratio: 1 });
    const cfg = config({ name: 'ci', permissions: ['nosuchproduct:read'] });
    const planned = await plan(cfg);
    expect(planned.diagnostics).toEqual([]);

    const applied = await engine.applyResourceChange(TYPE, null, planned.planned, cfg);
    const [diag, ...rest] = applied.diagnostics.items;
    expect(rest).toEqual([]);
    expect(diag).toMatchObject({ severity: 'error', summary: 'Permissions Not Granted', path: ['permissions'] });
    expect(diag!.detail).toContain('unknown product "nosuchproduct"');
    const state = applied.value!;
    expect(state).toMatchObject({ name: 'ci', permissions: [] });
    const held = (emulator.snapshot() as { clients: { id: string; permissions: string[] }[] }).clients.find((c) => c.id === state.id);
    expect(held?.permissions).toEqual([]);
  });
});
