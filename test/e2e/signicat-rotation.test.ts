/**
 * Issue 7 / VENDOR-DONE §4 on the sandbox clock: a client secret created (by the sandbox's clock)
 * 721 hours ago with rotation_period = "720h" plans as a replacement with the reason "rotation
 * due"; with create_before_destroy the new secret exists before the old one is deleted; afterwards
 * the plan is empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configStack } from './_config';
import { expectExit, startHarness, type Harness, type TerraformRunLike } from './_harness';

jest.setTimeout(90_000);

const HOUR = 3600_000;

interface SandboxClient {
  name: string;
  secrets: { id: string; createdAt: string }[];
}

describe('issue 7: rotation_period on apiaccess_signicat_client_secret', () => {
  let h: Harness;
  let dir: string;
  let duePlan: TerraformRunLike;
  let oldSecretId: string;
  let afterRotation: TerraformRunLike;
  let calls: string[];
  const secretsOf = (): SandboxClient['secrets'] =>
    (h.sandbox.snapshot().signicat as { clients: SandboxClient[] }).clients.find((c) => c.name === 'rotating')!.secrets;
  const stateSecretId = (): string => {
    const state = JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as {
      resources: { type: string; instances: { attributes: { secret_id: string } }[] }[];
    };
    return state.resources.find((r) => r.type === 'apiaccess_signicat_client_secret')!.instances[0]!.attributes.secret_id;
  };

  beforeAll(async () => {
    h = await startHarness('rotation');
    dir = configStack(h, 'rotation', {
      resource: {
        apiaccess_signicat_api_client: { c: { name: 'rotating' } },
        apiaccess_signicat_client_secret: {
          s: { client_id: '${apiaccess_signicat_api_client.c.id}', rotation_period: '720h', lifecycle: { create_before_destroy: true } },
        },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.clock.advance(-721 * HOUR);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    h.sandbox.clock.advance(721 * HOUR);
    oldSecretId = stateSecretId();
    duePlan = await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false');
    h.sandbox.journal.length = 0;
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    calls = h.sandbox.calls('signicat').map((c) => `${c.method} ${c.path.replace(/[^/]+$/, (last) => (last === oldSecretId ? ':old' : last))}`);
    afterRotation = await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('a secret older than rotation_period plans a replacement (exit 2) with the reason "rotation due"', () => {
    expect(duePlan.code).toBe(2);
    expect(duePlan.stdout).toMatch(/apiaccess_signicat_client_secret\.s must be replaced/);
    expect(duePlan.stdout).toMatch(/created_at\s+= "[^"]+" -> \(known after apply\) # forces replacement/);
    expect(`${duePlan.stdout}${duePlan.stderr}`).toContain('Rotation Due');
    expect(`${duePlan.stdout}${duePlan.stderr}`.replace(/\s+/g, ' ')).toContain('rotation due');
  });

  it('apply creates the new secret before deleting the old one, and the plan is then empty', () => {
    const created = calls.findIndex((c) => /^POST .*\/secrets$/.test(c));
    const deleted = calls.findIndex((c) => /^DELETE .*\/secrets\/:old$/.test(c));
    expect(created).toBeGreaterThanOrEqual(0);
    expect(deleted).toBeGreaterThan(created);
    expect(secretsOf().map((s) => s.id)).toEqual([stateSecretId()]);
    expect(stateSecretId()).not.toBe(oldSecretId);
    expect(afterRotation.code).toBe(0);
  });
});
