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
import { cdktfSynth, expectExit, readTree, startHarness, type Harness } from './_harness';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;
const MANAGEMENT = /^(POST|PATCH|PUT|DELETE)$/;
const backdate = (days: number): string => new Date(Date.now() - days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('issue 8: Signal Sciences through terraform + apiaccess provider', () => {
  let h: Harness;
  const state = (): SigSciState => h.sandbox.snapshot().sigsci as SigSciState;
  const put = (next: SigSciState): void => h.sandbox.restore({ sigsci: next });
  const tokens = () => state().tokens;
  const managementCalls = () => h.sandbox.calls('sigsci').filter((c) => MANAGEMENT.test(c.method));
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

  it('token settings and user access: apply, plan 0, console drift shown and repaired, import, destroy restores the defaults', async () => {
    const seed = state();
    const config = {
      resource: {
        apiaccess_sigsci_user_token_access: { me: { email: 'owner@example.com', allowed: true }, user: { email: 'user@example.com', allowed: true } },
        apiaccess_sigsci_token_settings: {
          corp: {
            expiration: '2160h',
            allowed_ips: ['127.0.0.0/8', '10.0.0.0/8'],
            restrict_to_allowed_users: true,
            depends_on: ['apiaccess_sigsci_user_token_access.me'],
          },
        },
      },
      data: {
        apiaccess_sigsci_corp_users: { all: { depends_on: ['apiaccess_sigsci_user_token_access.me', 'apiaccess_sigsci_user_token_access.user'] } },
        apiaccess_sigsci_api_tokens: { active: { status: 'active', depends_on: ['apiaccess_sigsci_token_settings.corp'] } },
      },
      output: {
        allowed: { value: '${[for u in data.apiaccess_sigsci_corp_users.all.users : u.email if u.access_token_allowed]}' },
        active: { value: '${[for t in data.apiaccess_sigsci_api_tokens.active.tokens : t.name]}' },
      },
    };
    const dir = await stack('settings', config);
    expectExit(await apply(dir), 0);
    expect(state().corp).toMatchObject({ apiTokenMaxAge: 90 * 86_400, apiAllowedIPs: ['10.0.0.0/8', '127.0.0.0/8'], restrictedAccessTokens: true });
    expect(state().users.map((u) => u.accessTokenAllowed)).toEqual([true, true]);
    const out = JSON.parse(expectExit(await h.tf(dir, 'output', '-json'), 0).stdout);
    expect(out.active.value).toEqual(['sandbox seed']);
    expectExit(await plan(dir), 0);

    // changed in the console
    const doc = state();
    doc.corp.apiTokenMaxAge = 30 * 86_400;
    doc.users.find((u) => u.email === 'user@example.com')!.accessTokenAllowed = false;
    put(doc);
    const drift = expectExit(await plan(dir), 2);
    expect(drift.stdout).toMatch(/~ expiration\s+= "720h" -> "2160h"/);
    expect(drift.stdout).toMatch(/~ allowed\s+= false -> true/);
    expect(drift.stdout).toContain('Plan: 0 to add, 2 to change, 0 to destroy.');
    expectExit(await apply(dir), 0);
    expectExit(await plan(dir), 0);

    // forgotten by Terraform, imported back with import blocks: no changes
    for (const a of ['apiaccess_sigsci_token_settings.corp', 'apiaccess_sigsci_user_token_access.user']) expectExit(await h.tf(dir, 'state', 'rm', a), 0);
    writeFileSync(
      join(dir, 'imports.tf.json'),
      JSON.stringify({
        import: [
          { to: 'apiaccess_sigsci_token_settings.corp', id: 'sandbox-corp' },
          { to: 'apiaccess_sigsci_user_token_access.user', id: 'user@example.com' },
        ],
      }),
    );
    const imported = expectExit(await plan(dir), 2);
    expect(imported.stdout).toContain('Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.');
    expectExit(await apply(dir), 0);
    expectExit(await plan(dir), 0);

    expectExit(await h.tf(dir, 'destroy', '-auto-approve', '-input=false'), 0);
    expect(state()).toEqual({ ...seed, tokens: state().tokens });
    expect(state().tokens.map((t) => t.id)).toEqual([SEED_OWNER_TOKEN_ID]);
  });

  it("issue 8: restriction on while the provider's user is not allowed is a plan error, and nothing changes", async () => {
    const before = state();
    const dir = await stack('lockout', { resource: { apiaccess_sigsci_token_settings: { corp: { restrict_to_allowed_users: true } } } });
    const run = expectExit(await plan(dir), 1);
    expect(run.stderr).toContain('Restriction Would Lock Out This Provider');
    expect(run.stderr).toContain('restrict_to_allowed_users');
    expect(run.stderr).toContain('sigsci_email');
    expectExit(await apply(dir), 1);
    expect(managementCalls()).toEqual([]);
    expect(state().corp).toEqual(before.corp);
  });

  it('issue 8: a 6th token is an error before any create, naming the limit and the tokens; the 5 others are untouched', async () => {
    const names = ['t1', 't2', 't3', 't4', 't5'];
    const five = Object.fromEntries(names.map((n) => [n, { name: n }]));
    const dir = await stack('limit', { resource: { apiaccess_sigsci_api_token: five } });
    // five new ones next to the seed token: refused as a whole, nothing created
    const all = expectExit(await plan(dir), 1);
    expect(all.stderr).toContain('Token Limit Reached');
    expect(managementCalls()).toEqual([]);
    const four = Object.fromEntries(names.slice(0, 4).map((n) => [n, { name: n }]));
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8')), resource: { apiaccess_sigsci_api_token: four } }),
    );
    expectExit(await apply(dir), 0);
    const held = tokens()
      .map((t) => t.id)
      .sort();
    expect(held).toHaveLength(5);
    h.sandbox.journal.length = 0;
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8')), resource: { apiaccess_sigsci_api_token: five } }),
    );
    const sixth = expectExit(await apply(dir), 1);
    expect(sixth.stderr).toContain('Token Limit Reached');
    expect(sixth.stderr).toMatch(/allows\s+5\s+API\s+access\s+tokens\s+per\s+user/);
    expect(sixth.stderr).toMatch(/"sandbox\s+seed"\s+\(active,\s+created/);
    expect(sixth.stderr).toContain('Free a slot');
    expect(managementCalls()).toEqual([]);
    expect(
      tokens()
        .map((t) => t.id)
        .sort(),
    ).toEqual(held);
  });

  it('issue 8: a token 60 days old expires when settings go to 30 days (warned, then replaced at plan) and is active again at 90 days', async () => {
    const base = (expiration: string) => ({
      resource: {
        apiaccess_sigsci_api_token: { old: { name: 'old token' } },
        apiaccess_sigsci_token_settings: { corp: { expiration } },
      },
    });
    const dir = await stack('expiry', base('0s'));
    expectExit(await apply(dir), 0);
    const id = attrs(dir, 'apiaccess_sigsci_api_token', 'old').id;
    const doc = state();
    doc.tokens.find((t) => t.id === id)!.created = backdate(60);
    put(doc);
    expectExit(await plan(dir), 0);
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8')), ...base('720h') }));
    const warned = expectExit(await apply(dir), 0);
    expect(warned.stdout).toContain('Tokens Expire At Once');
    expect(warned.stdout).toMatch(/"old\s+token"\s+of\s+the\s+provider's\s+user/);
    expect(tokens().find((t) => t.id === id)).toBeDefined();
    const replaced = expectExit(await plan(dir), 2);
    expect(replaced.stdout).toMatch(/~ status\s+= "expired" -> \(known after apply\)/);
    expect(replaced.stdout).toContain('# apiaccess_sigsci_api_token.old must be replaced');
    expect(replaced.stdout).toContain('Token Inactive');
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8')), ...base('2160h') }));
    // only the settings: the token's own plan would replace it while it is still expired
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false', '-target=apiaccess_sigsci_token_settings.corp'), 0);
    expectExit(await plan(dir), 0);
    expect(attrs(dir, 'apiaccess_sigsci_api_token', 'old')).toMatchObject({ id, status: 'active' });
  });

  it("issue 8: allowed_ips excluding the caller is warned at plan, and the vendor's 400 afterwards is a diagnostic naming allowed_ips", async () => {
    const dir = await stack('allowlist', { resource: { apiaccess_sigsci_token_settings: { corp: { allowed_ips: ['203.0.113.0/24'] } } } });
    const applied = expectExit(await apply(dir), 0);
    expect(applied.stdout).toContain('Allow-List Excludes This Provider');
    const refused = expectExit(await plan(dir), 1);
    expect(refused.stderr).toContain('allowed_ips');
    expect(refused.stderr).toContain('apiAllowedIPs');
  });

  it('refuses bad input at plan with a diagnostic on each attribute, without a management call', async () => {
    // [address, block, attribute]: one configuration, so one plan reports every refusal.
    const cases: [string, Record<string, unknown>, string][] = [
      ['apiaccess_sigsci_api_token.dash', { name: 'ci-pipeline' }, 'name'],
      ['apiaccess_sigsci_api_token.double_space', { name: 'a  b' }, 'name'],
      ['apiaccess_sigsci_api_token.too_long', { name: 'a'.repeat(65) }, 'name'],
      ['apiaccess_sigsci_api_token.days', { name: 'ok', rotation_period: '30d' }, 'rotation_period'],
      ['apiaccess_sigsci_token_settings.ipv6', { allowed_ips: ['2001:db8::/32'] }, 'allowed_ips'],
      ['apiaccess_sigsci_token_settings.octet', { allowed_ips: ['10.0.0.256'] }, 'allowed_ips'],
      ['apiaccess_sigsci_token_settings.prefix', { allowed_ips: ['10.0.0.0/33'] }, 'allowed_ips'],
      ['apiaccess_sigsci_token_settings.leading_zero', { allowed_ips: ['010.0.0.1'] }, 'allowed_ips'],
      ['apiaccess_sigsci_token_settings.days', { expiration: '30d' }, 'expiration'],
      ['apiaccess_sigsci_user_token_access.email', { email: 'nobody', allowed: true }, 'email'],
      ['data.apiaccess_sigsci_api_tokens.status', { status: 'revoked' }, 'status'],
      ['data.apiaccess_sigsci_corp_users.role', { role: 'root' }, 'role'],
    ];
    const blocks: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const [address, block] of cases) {
      const [kind, type, name] = address.startsWith('data.') ? address.split('.') : ['resource', ...address.split('.')];
      ((blocks[kind!] ??= {})[type!] ??= {})[name!] = block;
    }
    const dir = await stack('bad-input', blocks);
    h.sandbox.journal.length = 0;
    const run = expectExit(await plan(dir), 1);
    const errors = run.stderr.split(/(?=Error: )/).filter((e) => e.startsWith('Error: Invalid Attribute Value'));
    expect(errors).toHaveLength(cases.length);
    for (const [address, , attribute] of cases) {
      const diag = errors.find((e) => e.includes(`with ${address},`)) ?? '';
      expect([address, diag.includes(attribute)]).toEqual([address, true]);
    }
    expect(managementCalls()).toEqual([]);
  });

  it('examples/sigsci: cdktf synth (no secret in cdktf.out), apply, plan 0, destroy back to the seed', async () => {
    const seed = state();
    const out = join(h.work, 'sigsci.out');
    expectExit(await cdktfSynth('sigsci', out, h.env), 0);
    const dir = join(out, 'stacks', 'sigsci');
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expect((await apply(dir)).stdout).toContain('Apply complete! Resources: 5 added, 0 changed, 0 destroyed.');
    expect(state().corp).toMatchObject({ apiTokenMaxAge: 90 * 86_400, restrictedAccessTokens: true });
    expectExit(await plan(dir), 0);
    const values = tfState(dir)
      .resources.filter((r) => r.type === 'apiaccess_sigsci_api_token')
      .map((r) => r.instances[0]!.attributes.token as string);
    expect(values.every((v) => typeof v === 'string' && v.length > 0)).toBe(true);
    const synthesized = readTree(out, /^(terraform\.tfstate.*|\.terraform|terraform\.d)$/);
    expect([...values, SEED_OWNER_TOKEN].filter((v) => synthesized.includes(v))).toHaveLength(0);
    expectExit(await h.tf(dir, 'destroy', '-auto-approve', '-input=false'), 0);
    expect(state()).toEqual({ ...seed, tokens: state().tokens });
    expect(state().tokens.map((t) => t.id)).toEqual([SEED_OWNER_TOKEN_ID]);
  });
});
