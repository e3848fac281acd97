import { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_CONFLICT, APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { clearRegisteredSecrets, redact } from '../../../src/core/redact';
import { containsUnknown, isUnknown, UNKNOWN, type CtyValue } from '../../../src/provider/framework/cty';
import { ProviderEngine, SANDBOX_URL_ENV, settingEnvName } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { makeFakeVendor, proposedNew, SANDBOX_TOKEN, WIDGET, widgetConfig, type FakeVendor } from '../_fake-vendor';

const TOKEN = 'cfg-token-123456';

interface Setup extends FakeVendor {
  readonly engine: ProviderEngine;
}

function setup(env: NodeJS.ProcessEnv = {}): Setup {
  const fake = makeFakeVendor();
  const engine = new ProviderEngine([fake.vendor as VendorProvider], silentLogger, env);
  return { ...fake, engine };
}

/** A provider configuration: every provider attribute null except those given. */
function providerConfig(engine: ProviderEngine, values: ObjectValue = {}): ObjectValue {
  const out: ObjectValue = {};
  for (const name of Object.keys(engine.providerSchema.attributes)) out[name] = values[name] ?? null;
  return out;
}

/** A configured engine (token set in the provider block). */
async function configured(env: NodeJS.ProcessEnv = {}): Promise<Setup> {
  const s = setup(env);
  expect((await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }))).items).toEqual([]);
  return s;
}

function plan(engine: ProviderEngine, prior: ObjectValue | null, config: ObjectValue | null) {
  return engine.planResourceChange(WIDGET, prior, config === null ? null : proposedNew(prior, config), config);
}

/** Plans and applies a create; returns the new state. */
async function create(s: Setup, values: ObjectValue): Promise<ObjectValue> {
  const p = plan(s.engine, null, widgetConfig(values));
  expect(p.diagnostics.items).toEqual([]);
  const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
  expect(res.diagnostics.items).toEqual([]);
  expect(res.value).not.toBeNull();
  return res.value as ObjectValue;
}

const summaries = (d: Diagnostics): string[] => d.items.map((i) => i.summary);

beforeEach(() => clearRegisteredSecrets());
afterAll(() => clearRegisteredSecrets());

describe('ProviderEngine: plan at create', () => {
  it('plans computed attributes unknown, defaults for unset optional+computed ones, and keeps configured values', async () => {
    const { engine } = await configured();
    const res = plan(engine, null, widgetConfig({ name: 'alpha', region: 'eu-west' }));
    expect(res.diagnostics.items).toEqual([]);
    expect(res.requiresReplace).toEqual([]);
    expect(res.planned).toEqual({
      id: UNKNOWN,
      name: 'alpha',
      region: 'eu-west',
      size: 10, // default
      tags: UNKNOWN, // optional+computed without a default: the vendor decides
      secret: UNKNOWN,
      created_at: UNKNOWN,
      revision: UNKNOWN,
    });
  });

  it('keeps configured optional+computed values exactly as written (no default, no reordering)', async () => {
    const { engine } = await configured();
    const res = plan(engine, null, widgetConfig({ name: 'alpha', size: 42, tags: ['zeta', 'alpha'] }));
    expect(res.planned).toMatchObject({ size: 42, tags: ['zeta', 'alpha'], region: null });
  });

  it('keeps an unknown configured value unknown instead of replacing it with the default', async () => {
    const { engine } = await configured();
    const res = plan(engine, null, widgetConfig({ name: UNKNOWN, size: UNKNOWN }));
    expect(res.diagnostics.items).toEqual([]);
    expect(isUnknown(res.planned?.name)).toBe(true);
    expect(isUnknown(res.planned?.size)).toBe(true);
  });

  it('reports every validator error with its attribute path and what is allowed, and plans nothing', async () => {
    const { engine, handler } = await configured();
    const res = plan(engine, null, widgetConfig({ name: '   ', size: 0, tags: ['ok', 'Not-OK'] }));
    expect(res.planned).toBeNull();
    expect(res.requiresReplace).toEqual([]);
    expect(res.diagnostics.hasErrors).toBe(true);
    const byPath = Object.fromEntries(res.diagnostics.items.map((d) => [String(d.path?.[0]), d]));
    expect(Object.keys(byPath).sort()).toEqual(['name', 'size', 'tags']);
    for (const d of res.diagnostics.items) {
      expect(d.severity).toBe('error');
      expect(d.summary).toBe('Invalid Attribute Value');
    }
    expect(byPath.name.path).toEqual(['name']);
    expect(byPath.name.detail).toMatch(/1 to 20 characters/);
    expect(byPath.size.detail).toMatch(/whole number from 1 to 100 units/);
    expect(byPath.tags.detail).toMatch(/"Not-OK".*lowercase letters only/);
    expect(handler.calls).toEqual([]);
  });

  it('reports a value that is too long with the limit', async () => {
    const { engine } = await configured();
    const res = plan(engine, null, widgetConfig({ name: 'x'.repeat(21) }));
    expect(res.planned).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'Invalid Attribute Value', detail: expect.stringMatching(/21 characters long; at most 20/), path: ['name'] },
    ]);
  });

  it('validateResourceConfig runs the same validators and skips unknown values', () => {
    const { engine } = setup();
    expect(engine.validateResourceConfig(WIDGET, widgetConfig({ name: UNKNOWN, size: UNKNOWN, tags: [UNKNOWN] })).items).toEqual([]);
    const bad = engine.validateResourceConfig(WIDGET, widgetConfig({ name: 'ok', size: 101 }));
    expect(bad.items).toHaveLength(1);
    expect(bad.items[0]).toMatchObject({ severity: 'error', path: ['size'], detail: expect.stringMatching(/from 1 to 100/) });
    expect(summaries(engine.validateResourceConfig('apiaccess_fake_nope', {}))).toEqual(['Unknown Resource Type']);
  });

  it('a plan for an unknown resource type is an error diagnostic, not a throw', async () => {
    const { engine } = await configured();
    const res = engine.planResourceChange('apiaccess_fake_nope', null, {}, {});
    expect(res.planned).toBeNull();
    expect(summaries(res.diagnostics)).toEqual(['Unknown Resource Type']);
  });
});

describe('ProviderEngine: plan at update', () => {
  it('plans exactly the prior state, without unknowns, when nothing changed', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', region: 'eu-west', tags: ['blue'] });
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha', region: 'eu-west', tags: ['blue'] }));
    expect(res.diagnostics.items).toEqual([]);
    expect(res.requiresReplace).toEqual([]);
    expect(res.planned).toEqual(prior);
    expect(containsUnknown(res.planned as CtyValue)).toBe(false);
  });

  it('keeps the vendor-chosen value of an unset optional+computed attribute without a default', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    expect(prior.tags).toEqual(['auto']);
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha' }));
    expect(res.planned).toEqual(prior);
  });

  it('a changed requiresReplace attribute is listed in requiresReplace and computed-only attributes become unknown', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', region: 'eu-west', size: 42 });
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha', region: 'us-east', size: 42 }));
    expect(res.diagnostics.items).toEqual([]);
    expect(res.requiresReplace).toEqual(['region']);
    expect(res.planned).toEqual({
      id: UNKNOWN,
      name: 'alpha',
      region: 'us-east',
      size: 42,
      tags: prior.tags,
      secret: UNKNOWN,
      created_at: UNKNOWN,
      revision: UNKNOWN,
    });
  });

  it('removing a requiresReplace attribute from the configuration also replaces', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', region: 'eu-west' });
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha' }));
    expect(res.requiresReplace).toEqual(['region']);
    expect(res.planned?.region).toBeNull();
  });

  it('a changed ordinary attribute updates in place: computed attributes kept, changesOnUpdate ones unknown', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', region: 'eu-west' });
    const res = plan(s.engine, prior, widgetConfig({ name: 'beta', region: 'eu-west' }));
    expect(res.diagnostics.items).toEqual([]);
    expect(res.requiresReplace).toEqual([]);
    expect(res.planned).toEqual({ ...prior, name: 'beta', revision: UNKNOWN });
  });

  it('a set compares as a set: the same tags in another order are no change', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', tags: ['a', 'b'] });
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha', tags: ['b', 'a'] }));
    expect(res.requiresReplace).toEqual([]);
    expect(res.planned?.revision).toBe(prior.revision);
  });

  it('removing an optional+computed attribute with a default from the configuration plans the default', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha', size: 42 });
    expect(prior.size).toBe(42);
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha' }));
    expect(res.diagnostics.items).toEqual([]);
    expect(res.requiresReplace).toEqual([]);
    expect(res.planned).toEqual({ ...prior, size: 10, revision: UNKNOWN });
  });

  it('destroy (proposed null) plans null', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    const res = plan(s.engine, prior, null);
    expect(res).toEqual({ planned: null, requiresReplace: [], diagnostics: expect.any(Diagnostics) });
    expect(res.diagnostics.items).toEqual([]);
  });

  it('modifyPlan sees the engine plan and can edit it in place', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    const seen: unknown[] = [];
    Object.assign(s.handler, {
      modifyPlan: (req: { prior: ObjectValue | null; planned: ObjectValue }) => {
        seen.push(req.prior);
        req.planned.created_at = UNKNOWN;
      },
    });
    const res = plan(s.engine, prior, widgetConfig({ name: 'alpha' }));
    expect(seen).toEqual([prior]);
    expect(isUnknown(res.planned?.created_at)).toBe(true);
  });
});

describe('ProviderEngine: apply', () => {
  it('create returns the handler state with every missing attribute filled with null', async () => {
    const s = await configured();
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.diagnostics.items).toEqual([]);
    expect(s.handler.lastReturned).not.toHaveProperty('region');
    expect(res.value).toEqual({
      id: 'w-1',
      name: 'alpha',
      region: null,
      size: 10,
      tags: ['auto'],
      secret: 's3cr3t-w-1-a1b2c3d4',
      created_at: '2024-05-01T10:00:00Z',
      revision: 1,
    });
    expect(Object.keys(res.value as object).sort()).toEqual(Object.keys(s.handler.schema.attributes).sort());
    expect(s.handler.calls.map((c) => c.op)).toEqual(['create']);
    expect(s.handler.calls[0].req).toEqual({ planned: p.planned });
    expect(s.handler.calls[0].client.settings.token).toBe(TOKEN);
  });

  it('drops keys the handler returns that are not in the schema', async () => {
    const s = await configured();
    s.handler.vendorRewrite = (st) => ({ ...st, internal_etag: 'abc' });
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).not.toHaveProperty('internal_etag');
  });

  it('a created object that does not hold a known planned value is an error on that attribute, and the object is not lost', async () => {
    const s = await configured();
    s.handler.vendorRewrite = (st) => ({ ...st, name: String(st.name).toLowerCase() });
    const p = plan(s.engine, null, widgetConfig({ name: 'Alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    const [first, ...rest] = res.diagnostics.items;
    expect(first).toMatchObject({ severity: 'error', summary: 'Vendor Did Not Apply The Planned Value', path: ['name'] });
    expect(first.detail).toContain(`${WIDGET}.name`);
    // The vendor did create w-1: either Terraform gets it as new_state (and records it tainted),
    // or no state comes back and a diagnostic says how to import it.
    if (res.value === null) {
      expect(rest.map((d) => d.summary)).toContain('Object May Exist Outside Terraform');
      expect(rest.find((d) => d.summary === 'Object May Exist Outside Terraform')?.detail).toContain('terraform import <address> w-1');
    } else {
      expect(res.value).toMatchObject({ id: 'w-1', name: 'alpha' });
      expect(containsUnknown(res.value as CtyValue)).toBe(false);
    }
  });

  it('a diagnostic the handler reports after creating the object keeps the object (tainted) or points at import', async () => {
    const s = await configured();
    s.handler.during = async (ctx) => {
      ctx.diagnostics.error('Tags Not Set', 'The widget was created, but its tags could not be set.', ['tags']);
    };
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.diagnostics.items[0]).toMatchObject({ summary: 'Tags Not Set', path: ['tags'] });
    if (res.value === null) expect(summaries(res.diagnostics)).toContain('Object May Exist Outside Terraform');
    else {
      expect(res.value.id).toBe('w-1');
      expect(containsUnknown(res.value as CtyValue)).toBe(false);
    }
  });

  it('an update that does not hold a known planned value is an error without the import hint; the new state is kept', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    s.handler.vendorRewrite = (st) => ({ ...st, size: 50 });
    const p = plan(s.engine, prior, widgetConfig({ name: 'alpha', size: 20 }));
    const res = await s.engine.applyResourceChange(WIDGET, prior, p.planned);
    expect(summaries(res.diagnostics)).toEqual(['Vendor Did Not Apply The Planned Value']);
    expect(res.diagnostics.items[0].path).toEqual(['size']);
    expect(res.value).toMatchObject({ id: 'w-1', size: 50, revision: 2 });
  });

  it('planned-unknown values may come back as anything; known ones must match', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    const p = plan(s.engine, prior, widgetConfig({ name: 'beta' }));
    expect(isUnknown(p.planned?.revision)).toBe(true);
    const res = await s.engine.applyResourceChange(WIDGET, prior, p.planned);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).toEqual({ ...prior, name: 'beta', revision: 2 });
    expect(s.handler.calls.at(-1)?.op).toBe('update');
  });

  it('a handler that returns an unknown value is a provider bug', async () => {
    const s = await configured();
    s.handler.vendorRewrite = (st) => ({ ...st, created_at: UNKNOWN });
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.diagnostics.items[0]).toMatchObject({ summary: 'Provider Returned Unknown Value', path: ['created_at'] });
    // new_state never carries unknowns, not even next to errors.
    if (res.value !== null) expect(containsUnknown(res.value as CtyValue)).toBe(false);
  });

  it("a handler throwing an ApiAccessError with field 'name' becomes an error diagnostic on ['name']", async () => {
    const s = await configured();
    s.handler.fail = { op: 'create', error: new ApiAccessError(APIACCESS_CONFLICT, 'a widget named "alpha" already exists', { field: 'name' }) };
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      {
        severity: 'error',
        summary: 'Create Failed',
        detail: `Creating ${WIDGET} failed: a widget named "alpha" already exists.`,
        path: ['name'],
      },
    ]);
  });

  it('a failed update keeps the prior state; a plain Error has no path', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    s.handler.fail = { op: 'update', error: new Error('vendor is down') };
    const p = plan(s.engine, prior, widgetConfig({ name: 'beta' }));
    const res = await s.engine.applyResourceChange(WIDGET, prior, p.planned);
    expect(res.value).toEqual(prior);
    expect(res.diagnostics.items).toEqual([{ severity: 'error', summary: 'Update Failed', detail: `Updating ${WIDGET} failed: vendor is down.` }]);
  });

  it('delete (planned null) calls handler.delete with the prior state and returns null', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    const res = await s.engine.applyResourceChange(WIDGET, prior, null);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).toBeNull();
    expect(s.handler.calls.at(-1)).toMatchObject({ op: 'delete', req: { state: prior } });
    expect(s.handler.store.size).toBe(0);
  });

  it('a failed delete keeps the state and says which object', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    s.handler.fail = { op: 'delete', error: new Error('locked') };
    const res = await s.engine.applyResourceChange(WIDGET, prior, null);
    expect(res.value).toEqual(prior);
    expect(res.diagnostics.items).toEqual([{ severity: 'error', summary: 'Delete Failed', detail: `Deleting ${WIDGET} "w-1" failed: locked.` }]);
  });

  it('prior null and planned null is a no-op', async () => {
    const s = await configured();
    const res = await s.engine.applyResourceChange(WIDGET, null, null);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([]);
    expect(s.handler.calls).toEqual([]);
  });
});

describe('ProviderEngine: read, import', () => {
  it('read returns the full current state', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    const res = await s.engine.readResource(WIDGET, prior);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).toEqual(prior);
  });

  it('read of an object that is gone returns null (no error)', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    s.handler.store.clear();
    const res = await s.engine.readResource(WIDGET, prior);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([]);
  });

  it('a failed read keeps the state it was given', async () => {
    const s = await configured();
    const prior = await create(s, { name: 'alpha' });
    s.handler.fail = { op: 'read', error: new Error('timeout') };
    const res = await s.engine.readResource(WIDGET, prior);
    expect(res.value).toEqual(prior);
    expect(summaries(res.diagnostics)).toEqual(['Read Failed']);
  });

  it('import fills every attribute the handler left out with null', async () => {
    const s = await configured();
    const res = await s.engine.importResourceState(WIDGET, 'w-77');
    expect(res.diagnostics.items).toEqual([]);
    expect(s.handler.lastReturned).toEqual({ id: 'w-77' });
    expect(res.value).toEqual({ id: 'w-77', name: null, region: null, size: null, tags: null, secret: null, created_at: null, revision: null });
    expect(s.handler.calls).toMatchObject([{ op: 'import', req: { id: 'w-77' } }]);
  });

  it('a failed import names the ID and points at the field', async () => {
    const s = await configured();
    s.handler.fail = { op: 'import', error: new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'not a widget ID', { field: 'id' }) };
    const res = await s.engine.importResourceState(WIDGET, 'bogus');
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'Import Failed', detail: `Importing ${WIDGET} "bogus" failed: not a widget ID.`, path: ['id'] },
    ]);
  });
});

describe('ProviderEngine: configure', () => {
  it('declares sandbox_url and each vendor setting, prefixed, with the environment fallback in the description', () => {
    const { engine } = setup();
    const attrs = engine.providerSchema.attributes;
    expect(Object.keys(attrs).sort()).toEqual(['fake_endpoint', 'fake_project', 'fake_token', 'sandbox_url']);
    expect(attrs.fake_token.sensitive).toBe(true);
    expect(attrs.fake_token.description).toContain('APIACCESS_FAKE_TOKEN');
    expect(attrs.sandbox_url.description).toContain(SANDBOX_URL_ENV);
    expect(settingEnvName('fake', 'token')).toBe('APIACCESS_FAKE_TOKEN');
  });

  it('a value in the configuration wins over the environment and the sandbox', async () => {
    const s = setup({ APIACCESS_FAKE_TOKEN: 'env-token-123456', APIACCESS_FAKE_ENDPOINT: 'https://env.example', [SANDBOX_URL_ENV]: 'http://127.0.0.1:9' });
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN, fake_endpoint: 'https://cfg.example', fake_project: 'p1' }));
    expect(diags.items).toEqual([]);
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.clientSettings).toEqual([{ endpoint: 'https://cfg.example', token: TOKEN, project: 'p1' }]);
  });

  it('falls back to APIACCESS_<VENDOR>_<SETTING> when the configuration leaves a setting null or empty', async () => {
    const s = setup({ APIACCESS_FAKE_TOKEN: 'env-token-123456', APIACCESS_FAKE_PROJECT: 'env-project' });
    await s.engine.configure(providerConfig(s.engine, { fake_project: '' }));
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.clientSettings).toEqual([{ endpoint: null, token: 'env-token-123456', project: 'env-project' }]);
    expect(s.sandboxUrls).toEqual([]);
  });

  it(`falls back to the sandbox seed when ${SANDBOX_URL_ENV} is set (trailing slashes dropped), after config and environment`, async () => {
    const s = setup({ [SANDBOX_URL_ENV]: 'http://127.0.0.1:4555/', APIACCESS_FAKE_PROJECT: 'env-project' });
    await s.engine.configure(providerConfig(s.engine));
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.sandboxUrls).toEqual(['http://127.0.0.1:4555']);
    expect(s.clientSettings).toEqual([{ endpoint: 'http://127.0.0.1:4555/fake', token: SANDBOX_TOKEN, project: 'env-project' }]);
  });

  it('sandbox_url in the configuration wins over the environment one', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: 'http://env-sandbox:1' });
    await s.engine.configure(providerConfig(s.engine, { sandbox_url: 'http://cfg-sandbox:2' }));
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.clientSettings).toEqual([{ endpoint: 'http://cfg-sandbox:2/fake', token: SANDBOX_TOKEN, project: null }]);
  });

  it("a setting createClient reports missing becomes 'Missing Provider Setting' naming the attribute and the variable", async () => {
    const s = setup();
    expect((await s.engine.configure(providerConfig(s.engine))).items).toEqual([]);
    const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
    expect(p.diagnostics.items).toEqual([]); // planning needs no client
    const res = await s.engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toHaveLength(1);
    const d = res.diagnostics.items[0];
    expect(d).toMatchObject({ severity: 'error', summary: 'Missing Provider Setting' });
    expect(d.detail).toContain('"fake_token"');
    expect(d.detail).toContain('APIACCESS_FAKE_TOKEN');
    expect(d.detail).toContain(SANDBOX_URL_ENV);
    expect(s.handler.calls).toEqual([]);

    const read = await s.engine.readResource(WIDGET, widgetConfig({ id: 'w-1', name: 'alpha' }));
    expect(summaries(read.diagnostics)).toEqual(['Missing Provider Setting']);
    expect(read.value).toEqual(widgetConfig({ id: 'w-1', name: 'alpha' }));
  });

  it("other createClient failures become 'Provider Configuration Invalid'", async () => {
    const s = setup();
    Object.assign(s.vendor, {
      createClient: () => {
        throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, 'fake endpoint: must be an http(s) URL', { field: 'endpoint' });
      },
    });
    await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    const res = await s.engine.importResourceState(WIDGET, 'w-1');
    expect(res.diagnostics.items[0]).toMatchObject({ summary: 'Provider Configuration Invalid', detail: expect.stringContaining('must be an http(s) URL') });
  });

  it("an unknown provider configuration value is 'Provider Configuration Not Known' on that attribute", async () => {
    const s = setup();
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: UNKNOWN, fake_project: 'p' }));
    expect(diags.items).toEqual([
      { severity: 'error', summary: 'Provider Configuration Not Known', detail: expect.stringContaining('"fake_token"'), path: ['fake_token'] },
    ]);
  });

  it('validateProviderConfig accepts an empty or unknown configuration', () => {
    const { engine } = setup();
    expect(engine.validateProviderConfig(providerConfig(engine)).items).toEqual([]);
    expect(engine.validateProviderConfig(providerConfig(engine, { sandbox_url: UNKNOWN })).items).toEqual([]);
  });

  describe('a reattached provider (debug mode) gets several ConfigureProvider calls in one process', () => {
    it('builds the vendor client from the latest configuration', async () => {
      const s = setup();
      await s.engine.configure(providerConfig(s.engine, { fake_token: 'first-token-111111' }));
      await s.engine.importResourceState(WIDGET, 'w-1');
      await s.engine.configure(providerConfig(s.engine, { fake_token: 'second-token-222222' }));
      await s.engine.importResourceState(WIDGET, 'w-2');
      expect(s.handler.calls.map((c) => c.client.settings.token)).toEqual(['first-token-111111', 'second-token-222222']);
    });

    it('hands operations after the next ConfigureProvider a signal that StopProvider has not aborted', async () => {
      const s = await configured();
      let inFlight: AbortSignal | undefined;
      s.handler.during = async (ctx) => {
        inFlight = ctx.signal;
        s.engine.stop(); // StopProvider arrives while the apply runs
      };
      const p = plan(s.engine, null, widgetConfig({ name: 'alpha' }));
      await s.engine.applyResourceChange(WIDGET, null, p.planned);
      expect(inFlight?.aborted).toBe(true);
      s.handler.during = undefined;

      await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN })); // the next terraform command
      await s.engine.importResourceState(WIDGET, 'w-1');
      expect(s.handler.calls.at(-1)?.signal.aborted).toBe(false);
    });
  });
});

describe('ProviderEngine: stop and secrets', () => {
  it('stop() aborts the signal handlers get', async () => {
    const s = await configured();
    expect(s.engine.signal.aborted).toBe(false);
    s.engine.stop();
    expect(s.engine.signal.aborted).toBe(true);
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.handler.calls[0].signal.aborted).toBe(true);
  });

  it('sensitive values returned by a handler are registered for redaction after apply', async () => {
    const s = await configured();
    const secret = 's3cr3t-w-1-a1b2c3d4';
    expect(redact(`value=${secret}`)).toBe(`value=${secret}`);
    const state = await create(s, { name: 'alphaname' });
    expect(state.secret).toBe(secret);
    expect(redact(`value=${secret}`)).toBe('value=[REDACTED]');
    expect(redact('name=alphaname')).toBe('name=alphaname'); // not sensitive
  });

  it('sensitive values coming back from read are registered too (a fresh provider process)', async () => {
    const s = await configured();
    const state = await create(s, { name: 'alpha' });
    clearRegisteredSecrets();
    await s.engine.readResource(WIDGET, state);
    expect(redact(String(state.secret))).toBe('[REDACTED]');
  });

  it('sensitive provider settings are registered at configure, from any source', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: 'http://127.0.0.1:1' });
    await s.engine.configure(providerConfig(s.engine));
    expect(redact(`token ${SANDBOX_TOKEN}`)).toBe('token [REDACTED]');
    await configured(); // fake_token = TOKEN in the provider block
    expect(redact(`token ${TOKEN}`)).toBe('token [REDACTED]');
    expect(redact('project p1')).toBe('project p1');
  });
});
