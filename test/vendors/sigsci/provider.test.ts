/**
 * Issue 8: Signal Sciences' provider part (credentials, endpoint, sandbox settings, the credential
 * check), the token's inactive-status plan, the shared value checks and the generated constructs.
 */
import { TerraformVariable } from 'cdktf';
import { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_UNAUTHORIZED } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { UNKNOWN } from '../../../src/provider/framework/cty';
import type { Sandbox } from '../../../src/sandbox/server';
import { ApiAccessProvider, DataSigsciApiTokens, SigsciApiToken, SigsciTokenSettings, SigsciUserTokenAccess } from '../../../src/index';
import type { SigSciClient } from '../../../src/vendors/sigsci/client';
import { SEED_CORP, SEED_OWNER_EMAIL, SEED_OWNER_TOKEN } from '../../../src/vendors/sigsci/emulator';
import { apiTokenHandler } from '../../../src/vendors/sigsci/handlers/api-token';
import { sigsciProvider } from '../../../src/vendors/sigsci/provider';
import { allowListEntries, expiration, formatExpiration, parseExpiration, tokenName } from '../../../src/vendors/sigsci/spec/validators';
import { removeTempDirs, synthObject } from '../../constructs/_synth';
import { startSandbox } from './_sandbox';
import { VALIDATION_ERROR } from '../../support/helpers';

const never = (): boolean => false;

describe('issue 8: sigsciProvider', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    ({ sandbox } = await startSandbox());
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const client = (token: string): SigSciClient =>
    sigsciProvider.createClient({ base_url: `${sandbox.baseUrl}/sigsci`, email: SEED_OWNER_EMAIL, token, corp: SEED_CORP }, silentLogger);

  it('declares email and token as credentials and base_url as its endpoint; the sandbox settings are the seeded owner', () => {
    expect(sigsciProvider.credentials).toEqual(['email', 'token']);
    expect(sigsciProvider.endpoint).toBe('base_url');
    expect(Object.keys(sigsciProvider.settings).sort()).toEqual(['base_url', 'corp', 'email', 'token']);
    expect(sigsciProvider.settings.token!.sensitive).toBe(true);
    expect(sigsciProvider.sandboxSettings('http://127.0.0.1:9')).toEqual({
      base_url: 'http://127.0.0.1:9/sigsci',
      email: SEED_OWNER_EMAIL,
      token: SEED_OWNER_TOKEN,
      corp: SEED_CORP,
    });
  });

  it('verifyCredentials reads the corp once and changes nothing', async () => {
    await sigsciProvider.verifyCredentials!(client(SEED_OWNER_TOKEN), AbortSignal.timeout(10_000));
    expect(sandbox.calls('sigsci').map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([`GET /api/v0/corps/${SEED_CORP} 200`]);
  });

  it('verifyCredentials with a wrong token rejects with APIACCESS_UNAUTHORIZED naming token, without the value', async () => {
    const wrong = 'bbbbbbbb-2222-4333-8444-555555555555';
    const err = await sigsciProvider.verifyCredentials!(client(wrong), AbortSignal.timeout(10_000)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: APIACCESS_UNAUTHORIZED, field: 'token' });
    expect(JSON.stringify(err) + String(err)).not.toContain(wrong);
  });
});

describe('issue 8: a token the corp made inactive', () => {
  const prior = {
    id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    name: 'ci',
    status: 'expired',
    created: '2026-01-01T00:00:00Z',
    rotation_period: null,
    replace_when_inactive: null,
  };
  const plan = (config: Record<string, unknown>, status = 'expired') => {
    const planned = { ...prior, status } as Record<string, unknown>;
    const requiresReplace: string[] = [];
    const diags = new Diagnostics();
    apiTokenHandler.modifyPlan!({ prior: { ...prior, status }, planned: planned as never, config: { name: 'ci', ...config } as never, requiresReplace }, diags);
    return { planned, requiresReplace, diags };
  };

  it('is planned for replacement with the reason as a warning on status', () => {
    const { planned, requiresReplace, diags } = plan({});
    expect(requiresReplace).toEqual(['status']);
    expect(planned.status).toBe(UNKNOWN);
    expect(diags.items).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Token Inactive', path: ['status'] })]);
    expect(diags.items[0]!.detail).toContain('apiTokenMaxAge');
  });

  it('a disabled token names the restriction', () => {
    const { requiresReplace, diags } = plan({}, 'disabled');
    expect(requiresReplace).toEqual(['status']);
    expect(diags.items[0]!.detail).toContain('restricts tokens');
  });

  it('with replace_when_inactive = false is only reported', () => {
    const { planned, requiresReplace, diags } = plan({ replace_when_inactive: false });
    expect(requiresReplace).toEqual([]);
    expect(planned.status).toBe('expired');
    expect(diags.items.map((d) => d.severity)).toEqual(['warning']);
  });

  it('an active token plans nothing', () => {
    const { requiresReplace, diags } = plan({}, 'active');
    expect(requiresReplace).toEqual([]);
    expect(diags.items).toEqual([]);
  });
});

describe('issue 8: sigsci value checks (provider and constructs)', () => {
  it.each([
    ['ci pipeline', undefined],
    ['a_b 9', undefined],
    ['x'.repeat(64), undefined],
    ['x'.repeat(65), 'is 65 characters long'],
    ['ci-pipeline', 'only letters'],
    ['a  b', 'only letters'],
    [' lead', 'only letters'],
    ['me@x', 'only letters'],
    ['', 'is 0 characters long'],
  ])('token name %j', (name, problem) => {
    const got = tokenName()(name, never);
    expect(got === undefined ? undefined : got.includes(problem ?? '\u0000') && problem).toBe(problem);
  });

  it.each([
    ['203.0.113.7', true],
    ['203.0.113.0/24', true],
    ['0.0.0.0/0', true],
    ['10.0.0.0/32', true],
    ['10.0.0.0/33', false],
    ['10.0.0.256', false],
    ['010.0.0.1', false],
    ['10.0.0', false],
    ['10.0.0.0/', false],
    ['10.0.0.0/08', false],
    ['2001:db8::/32', false],
    ['::1', false],
  ])('allow-list entry %j accepted: %j', (entry, ok) => {
    expect(allowListEntries()([entry], never) === undefined).toBe(ok);
  });

  it('an IPv6 entry is refused saying so', () => {
    expect(allowListEntries()(['::1'], never)).toContain('IPv6 is not supported');
  });

  it('expiration: "0s" means never, durations round-trip, days are refused', () => {
    expect(parseExpiration('0s')).toBe(0);
    expect(parseExpiration('2160h')).toBe(90 * 86_400);
    expect(parseExpiration('1h30m')).toBe(5400);
    expect(parseExpiration('30d')).toBeUndefined();
    expect(formatExpiration(0)).toBe('0s');
    expect(formatExpiration(90 * 86_400)).toBe('2160h');
    expect(formatExpiration(5445)).toBe('1h30m45s');
    expect(expiration()('30d', never)).toContain('"0s" for never');
    expect(expiration()('720h', never)).toBeUndefined();
  });
});

describe('issue 8: generated Signal Sciences constructs', () => {
  afterEach(() => removeTempDirs());

  it('synthesize the resources and data source from their props', () => {
    const json = synthObject((stack) => {
      new ApiAccessProvider(stack, 'apiaccess', { writeProviderMirror: false });
      const me = new SigsciUserTokenAccess(stack, 'me', { email: 'owner@example.com', allowed: true });
      new SigsciTokenSettings(stack, 'corp', { expiration: '2160h', allowedIps: ['203.0.113.0/24'], restrictToAllowedUsers: true, dependsOn: [me] });
      new SigsciApiToken(stack, 'ci', { name: 'ci pipeline', rotationPeriod: '720h' });
      new DataSigsciApiTokens(stack, 'expired', { status: 'expired' });
    }) as unknown as { resource: Record<string, Record<string, Record<string, unknown>>>; data: Record<string, Record<string, Record<string, unknown>>> };
    expect(json.resource.apiaccess_sigsci_api_token!.ci).toMatchObject({ name: 'ci pipeline', rotation_period: '720h' });
    expect(json.resource.apiaccess_sigsci_token_settings!.corp).toMatchObject({
      expiration: '2160h',
      allowed_ips: ['203.0.113.0/24'],
      restrict_to_allowed_users: true,
      depends_on: ['apiaccess_sigsci_user_token_access.me'],
    });
    expect(json.data.apiaccess_sigsci_api_tokens!.expired).toMatchObject({ status: 'expired' });
  });

  it('refuse what the vendor would reject, with the same checks as the provider', () => {
    expect(() => synthObject((stack) => new SigsciApiToken(stack, 't', { name: 'ci-pipeline' }))).toThrow(VALIDATION_ERROR);
    expect(() => synthObject((stack) => new SigsciTokenSettings(stack, 's', { allowedIps: ['::1'] }))).toThrow(expect.objectContaining({ prop: 'allowedIps' }));
    expect(() => synthObject((stack) => new SigsciTokenSettings(stack, 's', { expiration: '30d' }))).toThrow(VALIDATION_ERROR);
    expect(() => synthObject((stack) => new SigsciUserTokenAccess(stack, 'u', { email: 'nobody', allowed: true }))).toThrow(VALIDATION_ERROR);
  });

  it('the provider refuses a literal sigsciToken and takes a sensitive variable', () => {
    expect(() => synthObject((stack) => new ApiAccessProvider(stack, 'apiaccess', { sigsciToken: SEED_OWNER_TOKEN, writeProviderMirror: false }))).toThrow(
      expect.objectContaining({ prop: 'sigsciToken', code: 'APIACCESS_INVALID_ARGUMENT' }),
    );
    expect(() =>
      synthObject((stack) => {
        const v = new TerraformVariable(stack, 'token', { type: 'string', sensitive: true });
        new ApiAccessProvider(stack, 'apiaccess', { sigsciToken: v.stringValue, writeProviderMirror: false });
      }),
    ).not.toThrow();
  });
});
