/**
 * Issue 7: the ephemeral resource apiaccess_signicat_access_token through the real terraform
 * binary (>= 1.10). It opens with one token request, the token works as a Bearer token at the
 * sandbox (used by a local-exec provisioner, where Terraform accepts ephemeral values), and it
 * appears in neither the state, the plan/apply output nor a TF_LOG=trace log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignicatEmulator } from '../../src/vendors/signicat/emulator';
import { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET } from '../../src/vendors/signicat/emulator/state';
import { configStack } from './_config';
import { expectExit, readTree, startHarness, type Harness, type TerraformRunLike } from './_harness';

jest.setTimeout(90_000);

const TOKEN_PATH = '/auth/open/connect/token';

describe('issue 7: ephemeral apiaccess_signicat_access_token', () => {
  let h: Harness;
  let dir: string;
  let plan: TerraformRunLike;
  let apply: TerraformRunLike;
  let planTokenCalls: number;
  const statusFile = (): string => join(dir, 'status.txt');
  const issued = (): string[] => h.sandbox.emulator<SignicatEmulator>('signicat').issued;

  beforeAll(async () => {
    h = await startHarness('ephemeral');
    h.env = { ...h.env, TF_VAR_client_secret: SEED_CLIENT_SECRET };
    const script = `fetch(process.env.URL,{headers:{authorization:'Bearer '+process.env.TOKEN}}).then(r=>require('fs').writeFileSync(process.env.OUT,String(r.status)))`;
    dir = configStack(h, 'ephemeral', {
      variable: { client_secret: { type: 'string', sensitive: true, ephemeral: true } },
      ephemeral: { apiaccess_signicat_access_token: { t: { client_id: SEED_CLIENT_ID, client_secret: '${var.client_secret}' } } },
      resource: {
        terraform_data: {
          use: {
            provisioner: [
              {
                'local-exec': {
                  command: `"${process.execPath}" -e "${script}"`,
                  environment: {
                    TOKEN: '${ephemeral.apiaccess_signicat_access_token.t.access_token}',
                    URL: `${h.sandbox.baseUrl}/signicat/management/api-clients?signicat-accountId=${SEED_ACCOUNT_ID}`,
                    OUT: join(h.work, 'ephemeral', 'status.txt'),
                  },
                },
              },
            ],
          },
        },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    plan = expectExit(await h.tf(dir, 'plan', '-input=false', '-out=tfplan'), 0);
    planTokenCalls = h.sandbox.calls('signicat').filter((c) => c.path === TOKEN_PATH).length;
    h.sandbox.journal.length = 0;
    h.env = { ...h.env, TF_LOG: 'trace', TF_LOG_PATH: join(h.work, 'trace.log') };
    apply = expectExit(await h.tf(dir, 'apply', '-input=false', 'tfplan'), 0);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('opens with exactly one token request per terraform command', () => {
    expect(planTokenCalls).toBe(1);
    expect(h.sandbox.calls('signicat').filter((c) => c.path === TOKEN_PATH)).toEqual([expect.objectContaining({ method: 'POST', status: 200 })]);
    expect(plan.stdout).toContain('ephemeral.apiaccess_signicat_access_token.t: Opening...');
  });

  it('the token works as a Bearer token at the sandbox', () => {
    expect(existsSync(statusFile())).toBe(true);
    expect(readFileSync(statusFile(), 'utf8')).toBe('200');
    expect(h.sandbox.calls('signicat')).toEqual(
      expect.arrayContaining([expect.objectContaining({ method: 'GET', path: '/management/api-clients', status: 200 })]),
    );
  });

  it('is in neither state, plan file, CLI output nor the TF_LOG=trace log', () => {
    const tokens = issued();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const everything = [
      readTree(dir, /^(\.terraform|terraform\.d)$/),
      plan.stdout,
      plan.stderr,
      apply.stdout,
      apply.stderr,
      readFileSync(join(h.work, 'trace.log'), 'utf8'),
    ].join('\n');
    expect(readFileSync(join(h.work, 'trace.log'), 'utf8')).toContain('OpenEphemeralResource');
    for (const t of tokens) expect(everything).not.toContain(t);
    expect(everything).not.toContain(SEED_CLIENT_SECRET);
    const state = JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as { resources: { type: string }[] };
    expect(state.resources.map((r) => r.type)).toEqual(['terraform_data']);
  });
});
