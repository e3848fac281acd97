/**
 * Issue 6, parts 4 and 5 in the engine: explicit settings and sandbox seeds never mix for a
 * vendor; credentials set explicitly are verified at ConfigureProvider, sandbox ones on first use;
 * a refusal is one diagnostic naming the provider setting to check.
 */
import type { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_CONFIG_MISSING, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { clearRegisteredSecrets } from '../../../src/core/redact';
import { UNKNOWN } from '../../../src/provider/framework/cty';
import { ProviderEngine, SANDBOX_URL_ENV } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { makeFakeVendor, proposedNew, refusedTokenError, SANDBOX_TOKEN, WIDGET, widgetConfig } from '../_fake-vendor';

const SANDBOX = 'http://127.0.0.1:4555';
const TOKEN = 'cfg-token-123456';

function setup(env: NodeJS.ProcessEnv = {}, options: { verifyTimeoutMs?: number } = {}) {
  const fake = makeFakeVendor();
  const engine = new ProviderEngine([fake.vendor as VendorProvider], silentLogger, env, options);
  return { ...fake, engine };
}

function providerConfig(engine: ProviderEngine, values: ObjectValue = {}): ObjectValue {
  const out: ObjectValue = {};
  for (const name of Object.keys(engine.providerSchema.attributes)) out[name] = values[name] ?? null;
  return out;
}

const summaries = (d: Diagnostics): string[] => d.items.map((i) => i.summary);

async function createWidget(engine: ProviderEngine) {
  const config = widgetConfig({ name: 'alpha' });
  const plan = engine.planResourceChange(WIDGET, null, proposedNew(null, config), config);
  return engine.applyResourceChange(WIDGET, null, plan.planned);
}

beforeEach(() => clearRegisteredSecrets());

describe('issue 6: settings never mix', () => {
  it('explicit credentials without an explicit endpoint while the sandbox is set is an error naming both settings; nothing is built or sent', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    expect(diags.items).toEqual([{ severity: 'error', summary: 'Conflicting Provider Settings', detail: expect.any(String), path: ['fake_token'] }]);
    const detail = diags.items[0]!.detail;
    expect(detail).toContain('fake_token is set but fake_endpoint is not, while APIACCESS_SANDBOX_URL points the provider at the vendor sandbox');
    expect(detail).toContain(`Set fake_endpoint to the API host of these credentials (for the sandbox: ${SANDBOX}/fake)`);
    expect(detail).toContain('sandbox_url = ""');
    expect(detail).not.toContain(TOKEN);
    expect(s.clientSettings).toEqual([]);
    expect(s.verified).toEqual([]);
  });

  it('credentials from the environment count as explicit too, and the detail names the variable', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX, APIACCESS_FAKE_TOKEN: 'env-token-123456' });
    const diags = await s.engine.configure(providerConfig(s.engine));
    expect(summaries(diags)).toEqual(['Conflicting Provider Settings']);
    expect(diags.items[0]!.detail).toContain('fake_token (from APIACCESS_FAKE_TOKEN) is set but fake_endpoint is not');
    expect(diags.items[0]!.path).toEqual(['fake_endpoint']);
  });

  it("an explicit endpoint with the sandbox's credentials is an error: sandbox credentials never go to another host", async () => {
    const s = setup();
    const diags = await s.engine.configure(providerConfig(s.engine, { sandbox_url: SANDBOX, fake_endpoint: 'https://api.fake.example' }));
    expect(diags.items).toEqual([{ severity: 'error', summary: 'Conflicting Provider Settings', detail: expect.any(String), path: ['fake_endpoint'] }]);
    expect(diags.items[0]!.detail).toContain('fake_endpoint is set but fake_token is not, while sandbox_url points the provider at the vendor sandbox');
  });

  it("an explicit endpoint that is the sandbox's own host keeps the sandbox fallback", async () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    expect((await s.engine.configure(providerConfig(s.engine, { fake_endpoint: `${SANDBOX}/fake/` }))).items).toEqual([]);
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.clientSettings).toEqual([{ endpoint: `${SANDBOX}/fake/`, token: SANDBOX_TOKEN, project: null }]);
  });

  it('explicit credentials and endpoint with the sandbox set use none of the sandbox seed', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN, fake_endpoint: 'https://api.fake.example' }));
    expect(diags.items).toEqual([]);
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.clientSettings).toEqual([{ endpoint: 'https://api.fake.example', token: TOKEN, project: null }]);
  });

  it('sandbox_url = "" turns the fallback off even when APIACCESS_SANDBOX_URL is set (null falls back to it)', async () => {
    const off = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    expect((await off.engine.configure(providerConfig(off.engine, { sandbox_url: '' }))).items).toEqual([]);
    const res = await off.engine.importResourceState(WIDGET, 'w-1');
    expect(summaries(res.diagnostics)).toEqual(['Missing Provider Setting']);
    expect(off.sandboxUrls).toEqual([]);

    const on = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    await on.engine.configure(providerConfig(on.engine, { sandbox_url: null }));
    await on.engine.importResourceState(WIDGET, 'w-1');
    expect(on.clientSettings).toEqual([{ endpoint: `${SANDBOX}/fake`, token: SANDBOX_TOKEN, project: null }]);
  });

  it('validateProviderConfig reports the half-set combination when the values are known, and not while one is unknown', () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    expect(summaries(s.engine.validateProviderConfig(providerConfig(s.engine, { fake_token: TOKEN })))).toEqual(['Conflicting Provider Settings']);
    expect(s.engine.validateProviderConfig(providerConfig(s.engine, { fake_token: TOKEN, fake_endpoint: UNKNOWN })).items).toEqual([]);
    expect(s.engine.validateProviderConfig(providerConfig(s.engine, { fake_token: TOKEN, sandbox_url: UNKNOWN })).items).toEqual([]);
  });
});

describe('issue 6: credentials are checked where they are configured', () => {
  it('explicit credentials are verified once, at configure; a refusal is an error on the setting, with what to check', async () => {
    const s = setup();
    s.refusedTokens.add(TOKEN);
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    expect(diags.items).toEqual([{ severity: 'error', summary: 'Invalid Provider Credentials', detail: expect.any(String), path: ['fake_token'] }]);
    expect(diags.items[0]!.detail).toBe(
      "fake refused the provider's credentials: The fake API refused the token (HTTP 401). Check the provider setting fake_token: it must belong to the account and API host the provider is configured for.",
    );
    expect(s.verified).toEqual([TOKEN]);
  });

  it('a refused credential from the environment names the variable', async () => {
    const s = setup({ APIACCESS_FAKE_TOKEN: 'env-token-123456' });
    s.refusedTokens.add('env-token-123456');
    const diags = await s.engine.configure(providerConfig(s.engine));
    expect(diags.items[0]!.detail).toContain('Check the provider setting fake_token (set from APIACCESS_FAKE_TOKEN)');
  });

  it('good explicit credentials pass configure, and later operations reuse the check and the client', async () => {
    const s = setup();
    expect((await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }))).items).toEqual([]);
    expect((await createWidget(s.engine)).diagnostics.items).toEqual([]);
    await s.engine.importResourceState(WIDGET, 'w-1');
    expect(s.verified).toEqual([TOKEN]);
    expect(s.clientSettings).toHaveLength(1);
  });

  it('explicit credentials with a setting the client still needs fail at configure on that setting', async () => {
    const s = setup();
    Object.assign(s.vendor, {
      createClient: () => {
        throw new ApiAccessError(APIACCESS_CONFIG_MISSING, 'fake_project is not set', { field: 'project' });
      },
    });
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    expect(diags.items).toEqual([
      { severity: 'error', summary: 'Missing Provider Setting', detail: expect.stringContaining('"fake_project"'), path: ['fake_project'] },
    ]);
  });

  it('sandbox credentials are not checked at configure but once on first use; a refusal names the setting and stops the operation', async () => {
    const s = setup({ [SANDBOX_URL_ENV]: SANDBOX });
    s.refusedTokens.add(SANDBOX_TOKEN);
    expect((await s.engine.configure(providerConfig(s.engine))).items).toEqual([]);
    expect(s.verified).toEqual([]);
    const res = await createWidget(s.engine);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([{ severity: 'error', summary: 'Invalid Provider Credentials', detail: expect.any(String) }]);
    expect(res.diagnostics.items[0]!.detail).toContain("Check the provider setting fake_token (the sandbox's seeded value");
    const read = await s.engine.readResource(WIDGET, widgetConfig({ id: 'w-1', name: 'alpha' }));
    expect(summaries(read.diagnostics)).toEqual(['Invalid Provider Credentials']);
    expect(s.verified).toEqual([SANDBOX_TOKEN]);
    expect(s.handler.calls).toEqual([]);
  });

  it('a credential check that does not answer in time is a warning at configure, not an error', async () => {
    const s = setup({}, { verifyTimeoutMs: 5 });
    Object.assign(s.vendor, { verifyCredentials: () => new Promise<void>(() => undefined) });
    const diags = await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    expect(diags.items).toEqual([{ severity: 'warning', summary: 'Credentials Not Verified', detail: expect.stringContaining('could not be checked') }]);
  });

  it('a vendor refusing the credentials in the middle of an operation gets the same diagnostic, not one on a resource attribute', async () => {
    const s = setup();
    await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    s.handler.fail = { op: 'create', error: refusedTokenError() };
    const res = await createWidget(s.engine);
    expect(res.diagnostics.items).toEqual([{ severity: 'error', summary: 'Invalid Provider Credentials', detail: expect.stringContaining('fake_token') }]);
  });
});

describe('issue 6: a refusal without a field', () => {
  it("names the vendor's last credential setting", async () => {
    const s = setup();
    await s.engine.configure(providerConfig(s.engine, { fake_token: TOKEN }));
    s.handler.fail = { op: 'create', error: new ApiAccessError(APIACCESS_UNAUTHORIZED, 'fake answered HTTP 401.', { status: 401 }) };
    const res = await createWidget(s.engine);
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'Invalid Provider Credentials', detail: expect.stringContaining('Check the provider setting fake_token') },
    ]);
  });
});
