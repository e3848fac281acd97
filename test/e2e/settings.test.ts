/**
 * Issue 6 (parts 4-6) through the real terraform binary: explicit settings never mix with the
 * sandbox's, wrong credentials fail `terraform plan` on the provider block, and input the vendor
 * would reject fails the plan (or the apply, before anything is created). Each test has its own
 * sandbox and stack.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET } from '../../src/vendors/signicat/emulator/state';
import { expectExit, plainStack, startHarness, type Harness, type TerraformRunLike } from './_harness';

jest.setTimeout(90_000);

const CLIENT = 'apiaccess_signicat_api_client';

let h: Harness;

beforeEach(async () => {
  h = await startHarness('settings');
});

afterEach(async () => {
  await h?.close();
});

/** A stack with `providers` (one entry per provider block) and `resources`, initialised. */
async function stack(
  name: string,
  providers: Record<string, unknown>[],
  resources: Record<string, Record<string, unknown>>,
  extra: object = {},
): Promise<string> {
  const dir = plainStack(h, name, resources);
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify(
      {
        terraform: { required_providers: { apiaccess: { source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' } } },
        provider: { apiaccess: providers },
        resource: resources,
        ...extra,
      },
      null,
      2,
    ),
  );
  expectExit(await h.tf(dir, 'init', '-input=false'), 0);
  return dir;
}

const oneLine = (run: TerraformRunLike): string => `${run.stdout}\n${run.stderr}`.replace(/\s+/g, ' ');
/** The output without Terraform's own quote of the configuration line that holds `secret`. */
const withoutQuotedConfig = (out: string, secret: string): string => out.split(`"signicat_client_secret": "${secret}"`).join('');
const managementCalls = (): string[] =>
  h.sandbox
    .calls('signicat')
    .filter((c) => c.path.startsWith('/management/api-clients'))
    .map((c) => `${c.method} ${c.path}`);

describe('issue 6: settings never mix', () => {
  it('an alias with explicit credentials but no base URL, while APIACCESS_SANDBOX_URL is set, sends nothing to the sandbox and fails the plan naming both settings', async () => {
    const dir = await stack(
      'alias',
      [{}, { alias: 'prod', signicat_client_id: SEED_CLIENT_ID, signicat_client_secret: SEED_CLIENT_SECRET, signicat_account_id: SEED_ACCOUNT_ID }],
      { [CLIENT]: { ci: { provider: 'apiaccess.prod', name: 'ci' } } },
    );
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Conflicting Provider Settings');
    expect(out).toContain('signicat_client_id and signicat_client_secret are set but signicat_base_url is not');
    expect(out).toContain('APIACCESS_SANDBOX_URL');
    expect(out).toContain('with provider["apiaccess.local/apiaccess/apiaccess"].prod');
    expect(withoutQuotedConfig(out, SEED_CLIENT_SECRET)).not.toContain(SEED_CLIENT_SECRET);
    expect(h.sandbox.calls()).toEqual([]);
  });

  it('sandbox_url = "" turns the sandbox fallback off even though APIACCESS_SANDBOX_URL is set', async () => {
    const dir = await stack('sandbox-off', [{ sandbox_url: '' }], { [CLIENT]: { ci: { name: 'ci' } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Missing Provider Setting');
    expect(out).toContain('"signicat_client_id"');
    expect(h.sandbox.calls()).toEqual([]);
  });

  it("explicit credentials with an explicit base URL work (the sandbox's seeded client at <sandbox>/signicat)", async () => {
    const dir = await stack(
      'explicit',
      [
        {
          signicat_base_url: `${h.sandbox.baseUrl}/signicat`,
          signicat_client_id: SEED_CLIENT_ID,
          signicat_client_secret: SEED_CLIENT_SECRET,
          signicat_account_id: SEED_ACCOUNT_ID,
        },
      ],
      { [CLIENT]: { ci: { name: 'explicit-ci', permissions: ['authentication:read'] } } },
    );
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    expect(managementCalls()).toContain('POST /management/api-clients');
    const clients = (h.sandbox.snapshot().signicat as { clients: { name: string; permissions: string[] }[] }).clients;
    expect(clients.find((c) => c.name === 'explicit-ci')?.permissions).toEqual(['authentication:read']);
    expectExit(await h.tf(dir, 'plan', '-input=false', '-detailed-exitcode'), 0);
  });
});

describe('issue 6: credentials are checked where they are configured', () => {
  it('a wrong secret fails terraform plan on the provider block naming signicat_client_secret, with no management call', async () => {
    const dir = await stack(
      'wrong-secret',
      [
        {
          signicat_base_url: `${h.sandbox.baseUrl}/signicat`,
          signicat_client_id: SEED_CLIENT_ID,
          signicat_client_secret: 'wrongS3cr3tValue-0000000000',
          signicat_account_id: SEED_ACCOUNT_ID,
        },
      ],
      { [CLIENT]: { ci: { name: 'ci' } } },
    );
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Invalid Provider Credentials');
    expect(out).toContain('Check the provider setting signicat_client_secret');
    // Terraform points at the provider block's setting, not at a resource.
    expect(out).toMatch(/with provider\["apiaccess\.local\/apiaccess\/apiaccess"\]/);
    expect(out).toContain('"signicat_client_secret"');
    expect(out).not.toMatch(/WWW-Authenticate|challenge/i);
    expect(withoutQuotedConfig(out, 'wrongS3cr3tValue-0000000000')).not.toContain('wrongS3cr3tValue-0000000000');
    expect(h.sandbox.calls('signicat').map((c) => `${c.method} ${c.path}`)).toEqual(['POST /auth/open/connect/token']);
  });
});

describe('issue 6: credentials from the environment', () => {
  it('a wrong secret in APIACCESS_SIGNICAT_CLIENT_SECRET fails terraform plan naming the setting and the variable', async () => {
    Object.assign(h.env, {
      APIACCESS_SIGNICAT_BASE_URL: `${h.sandbox.baseUrl}/signicat`,
      APIACCESS_SIGNICAT_CLIENT_ID: SEED_CLIENT_ID,
      APIACCESS_SIGNICAT_CLIENT_SECRET: 'wrongS3cr3tValue-1111111111',
      APIACCESS_SIGNICAT_ACCOUNT_ID: SEED_ACCOUNT_ID,
    });
    const dir = await stack('env-wrong-secret', [{}], { [CLIENT]: { ci: { name: 'ci' } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Invalid Provider Credentials');
    expect(out).toContain('Check the provider setting signicat_client_secret (set from APIACCESS_SIGNICAT_CLIENT_SECRET)');
    expect(out).not.toContain('wrongS3cr3tValue-1111111111');
    expect(h.sandbox.calls('signicat').map((c) => `${c.method} ${c.path}`)).toEqual(['POST /auth/open/connect/token']);
  });
});

describe('issue 6: plan-time rejection of what the vendor would reject', () => {
  it('an explicit null name fails the plan on name, with no management call', async () => {
    const dir = await stack('null-name', [{}], { [CLIENT]: { ci: { name: null } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Missing Required Attribute');
    expect(out).toContain('name is required and must not be null; set it to a value. Display name of the client (1-100 characters).');
    expect(out).toMatch(
      /with apiaccess_signicat_api_client\.ci, on main\.tf\.json line \d+, in resource\.apiaccess_signicat_api_client\.ci: \d+: "name": null/,
    );
    expect(managementCalls()).toEqual([]);
  });

  it('a null entry in permissions fails the plan on permissions, with no management call', async () => {
    const dir = await stack('null-permission', [{}], { [CLIENT]: { ci: { name: 'ci', permissions: ['authentication:read', null] } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Null Entry In Attribute');
    expect(out).toContain('permissions contains a null entry; remove it or replace it with a value. Permissions granted to the client');
    expect(out).toMatch(/in resource\.apiaccess_signicat_api_client\.ci: \d+: "permissions": \[/);
    expect(managementCalls()).toEqual([]);
  });

  it('a value on a computed-only attribute (account_id) fails the plan on it, with no management call', async () => {
    const dir = await stack('read-only', [{}], { [CLIENT]: { ci: { name: 'ci', account_id: 'a-spge-other' } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Read-Only Attribute Configured');
    expect(out).toMatch(/\d+: "account_id": "a-spge-other" account_id is set by the vendor and cannot be configured; remove it from the configuration\./);
    expect(managementCalls()).toEqual([]);
  });

  it('a permission missing from the catalogue fails the plan listing allowed ones, with no management call', async () => {
    const dir = await stack('unknown-permission', [{}], { [CLIENT]: { ci: { name: 'ci', permissions: ['authentication:read', 'authentication:delete'] } } });
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const out = oneLine(plan);
    expect(out).toContain('Unknown Permission');
    expect(out).toContain('permissions contains "authentication:delete"');
    expect(out).toContain('e.g. authentication:read, authentication:write');
    expect(out).toMatch(/with apiaccess_signicat_api_client\.ci, on main\.tf\.json line \d+/);
    expect(managementCalls()).toEqual([]);
  });

  it('a permission only known at apply is checked before anything is created', async () => {
    const dir = await stack('late-permission', [{}], {
      terraform_data: { permission: { input: 'sessions:delete' } },
      [CLIENT]: { ci: { name: 'ci', permissions: ['${terraform_data.permission.output}'] } },
    });
    const apply = await h.tf(dir, 'apply', '-auto-approve', '-input=false');
    expect(apply.code).toBe(1);
    const out = oneLine(apply);
    // The plan passed (the value was unknown); the apply stopped before the create.
    expect(out).toContain('terraform_data.permission: Creation complete');
    expect(out).toContain('Unknown Permission');
    expect(out).toContain('permissions contains "sessions:delete"');
    expect(out).not.toContain('apiaccess_signicat_api_client.ci: Creation complete');
    expect(managementCalls()).toEqual([]);
    const state = await h.tf(dir, 'state', 'list');
    expect(state.stdout.trim()).toBe('terraform_data.permission');
  });
});
