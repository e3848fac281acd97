/**
 * Issue 8: Signal Sciences API access tokens, corp token settings and per-user token access with
 * the real terraform binary against the sandbox: apply, drift, out-of-band delete, import,
 * destroy back to the seed, plan-time refusals without management calls, the 5-per-user limit,
 * the corp policy expiring a token, the restriction guard rail, and secret hygiene.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform } from '../../src/bin/terraform-cli';
import { SEED_OWNER_TOKEN, SEED_OWNER_TOKEN_ID, type SigSciState } from '../../src/vendors/sigsci/emulator';
import { configStack } from './_config';
import { expectExit, startHarness, type Harness } from './_harness';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;

describe('issue 8: Signal Sciences through terraform + apiaccess provider', () => {
  let h: Harness;
  const state = (): SigSciState => h.sandbox.snapshot().sigsci as SigSciState;
  const put = (next: SigSciState): void => h.sandbox.restore({ sigsci: next });
  const tokens = () => state().tokens;
  const tfState = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as {
      resources: { type: string; name: string; instances: { attributes: Record<string, unknown> }[] }[];
    };
  const attrs = (dir: string, type: string, name: string) => tfState(dir).resources.find((r) => r.type === type && r.name === name)!.instances[0]!.attributes;

  beforeAll(async () => {
    h = await startHarness('sigsci');
  });
  beforeEach(() => {
    h.sandbox.reset();
  });
  afterAll(async () => {
    await h?.close();
  });

  const stack = async (name: string, blocks: Record<string, unknown>): Promise<string> => {
    const dir = configStack(h, name, blocks);
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    return dir;
  };
  const plan = (dir: string) => h.tf(dir, 'plan', '-detailed-exitcode', '-input=false');
  const apply = (dir: string) => h.tf(dir, 'apply', '-auto-approve', '-input=false');

  it('tokens: apply, plan 0, drift, out-of-band delete, import, destroy back to the seed; the value is sensitive and never in output', async () => {
    const outputs: string[] = [];
    const run = async (p: Promise<Awaited<ReturnType<typeof apply>>>, code: number) => {
      const r = expectExit(await p, code);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    const dir = await stack('tokens', {
      resource: { apiaccess_sigsci_api_token: { ci: { name: 'ci pipeline', rotation_period: '720h' }, deploy: { name: 'deploy' } } },
      output: { ci_token: { value: '${apiaccess_sigsci_api_token.ci.token}', sensitive: true } },
    });
    expect((await run(apply(dir), 0)).stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(
      tokens()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['ci pipeline', 'deploy', 'sandbox seed']);
    await run(plan(dir), 0);

    // the corp policy (changed in the console) expires the token: the plan replaces it with the reason
    const deploy = attrs(dir, 'apiaccess_sigsci_api_token', 'deploy');
    expect(deploy.status).toBe('active');
    const doc = state();
    doc.tokens.find((t) => t.id === deploy.id)!.created = new Date(Date.now() - 60 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    doc.corp.apiTokenMaxAge = 30 * 86_400;
    put(doc);
    const expired = await run(plan(dir), 2);
    expect(expired.stdout).toMatch(/~ status\s+= "expired" -> \(known after apply\) # forces replacement/);
    expect(expired.stdout).toContain('Token Inactive');
    expect(expired.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
    // 90 days: the same token is active again and nothing is planned
    put({ ...state(), corp: { ...state().corp, apiTokenMaxAge: 90 * 86_400 } });
    await run(plan(dir), 0);
    expect(attrs(dir, 'apiaccess_sigsci_api_token', 'deploy').id).toBe(deploy.id);
    expect(attrs(dir, 'apiaccess_sigsci_api_token', 'deploy').status).toBe('active');

    // deleted in the console: planned for creation, apply makes it again
    put({ ...state(), tokens: state().tokens.filter((t) => t.name !== 'ci pipeline') });
    const gone = await run(plan(dir), 2);
    expect(gone.stdout).toContain('# apiaccess_sigsci_api_token.ci will be created');
    await run(apply(dir), 0);
    await run(plan(dir), 0);

    // a token made in the console, imported by its id: value null, a warning, plan 0
    const res = await fetch(`${h.sandbox.baseUrl}/sigsci/api/v0/user/apitokens`, {
      method: 'POST',
      headers: { 'x-api-user': 'owner@example.com', 'x-api-token': SEED_OWNER_TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'console made' }),
    });
    expect(res.status).toBe(200);
    const made = (await res.json()) as { id: string; token: string };
    writeFileSync(join(dir, 'imported.tf.json'), JSON.stringify({ import: [{ to: 'apiaccess_sigsci_api_token.console', id: made.id }] }));
    const gen = await run(h.tf(dir, 'plan', '-input=false', '-generate-config-out=generated.tf'), 0);
    expect(gen.stdout).toContain('1 to import');
    const generated = readFileSync(join(dir, 'generated.tf'), 'utf8');
    expect(generated).toContain('name                  = "console made"');
    expect((await run(apply(dir), 0)).stdout).toContain('Value Not Imported');
    await run(plan(dir), 0);
    expect(attrs(dir, 'apiaccess_sigsci_api_token', 'console').token).toBeNull();

    // secret hygiene: values in state (sensitive), never in output or TF_LOG=trace
    const log = join(h.work, 'sigsci-trace.log');
    const traced = await runTerraform(['plan', '-input=false'], dir, { ...h.env, TF_LOG: 'trace', TF_LOG_PATH: log });
    expectExit(traced, 0);
    const raw = tfState(dir);
    const values = raw.resources
      .filter((r) => r.type === 'apiaccess_sigsci_api_token')
      .map((r) => r.instances[0]!.attributes.token)
      .filter((v) => v !== null) as string[];
    expect(values).toHaveLength(2);
    const stateText = JSON.stringify(raw);
    expect(stateText).toContain('"sensitive_attributes"');
    const haystack = outputs.join('\n') + traced.stdout + traced.stderr + readFileSync(log, 'utf8');
    for (const secret of [...values, made.token, SEED_OWNER_TOKEN]) {
      if (haystack.includes(secret))
        throw new Error(`a token value leaked: ...${haystack.slice(Math.max(0, haystack.indexOf(secret) - 120), haystack.indexOf(secret))}`);
    }

    expect((await run(h.tf(dir, 'destroy', '-auto-approve', '-input=false'), 0)).stdout).toContain('Destroy complete! Resources: 3 destroyed.');
    expect(tokens().map((t) => t.id)).toEqual([SEED_OWNER_TOKEN_ID]);
  });
});
