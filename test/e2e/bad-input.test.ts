/**
 * Issue 2: bad input fails `terraform plan`/`apply` with a diagnostic that names the attribute and
 * what is allowed; for plan-time cases the vendor saw no management call.
 */
import { expectExit, plainStack, startHarness, type Harness, type TerraformRunLike } from './_harness';

jest.setTimeout(60_000);

describe('issue 2: bad input', () => {
  let h: Harness;
  let plan: TerraformRunLike;

  beforeAll(async () => {
    h = await startHarness('bad-input');
    const dir = plainStack(h, 'plan-time', {
      apiaccess_signicat_api_client: {
        empty_name: { name: '  ' },
        bad_permission: { name: 'ok', permissions: ['authentication:read', 'Authentication Read'] },
        lifetime_zero: { name: 'ok', access_token_lifetime: 0 },
        lifetime_too_long: { name: 'ok', access_token_lifetime: 3601 },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    plan = await h.tf(dir, 'plan', '-input=false');
  });

  afterAll(async () => {
    await h?.close();
  });

  /** The diagnostic block Terraform printed for `address`. */
  const diagnosticFor = (address: string): string => {
    const blocks = plan.stderr.split(/(?=Error: )/);
    const block = blocks.find((b) => b.includes(`with apiaccess_signicat_api_client.${address},`));
    if (!block) throw new Error(`no diagnostic for ${address} in:\n${plan.stderr}`);
    return block.replace(/\s+/g, ' ');
  };

  it('fails the plan (exit 1) and calls no management route at the vendor', () => {
    expect(plan.code).toBe(1);
    expect(h.sandbox.calls('signicat').filter((c) => c.path.startsWith('/management'))).toEqual([]);
  });

  it('an empty name names the attribute and the allowed length', () => {
    const d = diagnosticFor('empty_name');
    expect(d).toContain('Invalid Attribute Value');
    expect(d).toMatch(/name must not be empty; give it a name of 1 to 100 characters/);
    // Terraform points at the attribute's own line of the configuration.
    expect(d).toContain(': "name": " " name must not be empty');
  });

  it('an unknown-shaped permission names the entry and the allowed shape', () => {
    const d = diagnosticFor('bad_permission');
    expect(d).toContain('permissions contains "Authentication Read"');
    expect(d).toContain('<product>:<action>');
  });

  it('a lifetime of 0 or 3601 names the attribute and the range', () => {
    expect(diagnosticFor('lifetime_zero')).toContain('access_token_lifetime is 0; it must be a whole number from 1 to 3600 seconds');
    expect(diagnosticFor('lifetime_too_long')).toContain('access_token_lifetime is 3601; it must be a whole number from 1 to 3600 seconds');
  });

  it('a secret for a client ID that does not exist fails the apply naming client_id, and nothing enters state', async () => {
    const dir = plainStack(h, 'apply-time', {
      apiaccess_signicat_client_secret: { orphan: { client_id: 'sandbox-no-such-000', name: 'ci' } },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const apply = await h.tf(dir, 'apply', '-auto-approve', '-input=false');
    expect(apply.code).toBe(1);
    const stderr = apply.stderr.replace(/\s+/g, ' ');
    expect(stderr).toContain('Create Failed');
    expect(stderr).toContain('API client "sandbox-no-such-000" does not exist. Create it first, or use the ID of an existing client.');
    // The diagnostic carries the attribute path, so Terraform shows the client_id line.
    expect(stderr).toMatch(
      /with apiaccess_signicat_client_secret\.orphan, on main\.tf\.json line \d+, in resource\.apiaccess_signicat_client_secret\.orphan: \d+: "client_id": "sandbox-no-such-000"/,
    );
    const state = await h.tf(dir, 'state', 'list');
    expect(state.stdout.trim()).toBe('');
  });
});
