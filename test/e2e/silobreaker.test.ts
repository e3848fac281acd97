/**
 * Issue 11 acceptance: Silobreaker through cdktf + the real terraform binary against the sandbox.
 * The example's API key: apply → plan 0 → change at the vendor → plan 2 naming the attribute →
 * apply → plan 0 → delete at the vendor → plan creates → import (with generated config) → destroy →
 * seed; secret hygiene. The password: rotated through the write-only password_wo (never in plan,
 * state, output or TF_LOG=trace), the old password then gets Delay and the new one logs in; a wrong
 * current password is a clear diagnostic after two logins with the vendor's delay waited out. The
 * function: its GET and POST URLs are accepted by the sandbox, a one-byte change of the body is not.
 * A bad-input table fails terraform plan with no management call.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform } from '../../src/bin/terraform-cli';
import { SEED_API_KEY, SEED_PASSWORD, SEED_SHARED_KEY, SEED_USERNAME } from '../../src/vendors/silobreaker/emulator/state';
import { cdktfSynth, expectExit, plainStack, readTree, startHarness, type Harness, lifecycle } from './_harness';

jest.setTimeout(120_000);

interface KeyDoc {
  ApiKey: string;
  SharedKey: string;
  Description: string;
  Created: string;
}

const keysOf = (h: Harness): KeyDoc[] => (h.sandbox.snapshot().silobreaker as { apiKeys: KeyDoc[] }).apiKeys;
const putKeys = (h: Harness, next: KeyDoc[]): void => {
  const doc = h.sandbox.snapshot().silobreaker as { apiKeys: KeyDoc[] };
  h.sandbox.restore({ silobreaker: { ...doc, apiKeys: next } });
};

/** A login straight at the vendor: its Status, and the cookie when it succeeded. */
async function login(h: Harness, password: string): Promise<{ status: string; cookie?: string }> {
  const res = await fetch(`${h.sandbox.baseUrl}/silobreaker/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ Username: SEED_USERNAME, Password: password }),
  });
  const body = (await res.json()) as { Status: string };
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  return { status: body.Status, ...(cookie ? { cookie } : {}) };
}

/** A plain stack; with no resources, the empty `resource` block Terraform refuses is left out. */
function stackWith(h: Harness, name: string, resources: Record<string, Record<string, unknown>>): string {
  const dir = plainStack(h, name, resources);
  if (Object.keys(resources).length === 0) {
    const main = JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8')) as Record<string, unknown>;
    delete main.resource;
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(main));
  }
  return dir;
}

/** Throws without printing the secret when `text` holds it. */
function expectNoSecret(where: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    if (text.includes(secret))
      throw new Error(`a secret leaked into ${where}, after: ${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret))}`);
  }
}

describe('issue 11: Silobreaker API keys through cdktf + terraform', () => {
  let h: Harness;
  let out: string;
  let stack: string;
  const outputs: string[] = [];
  const tf = async (...args: string[]) => {
    const run = await h.tf(stack, ...args);
    if (args[0] !== 'show') outputs.push(run.stdout, run.stderr);
    return run;
  };
  const managed = () => keysOf(h).filter((k) => k.ApiKey !== SEED_API_KEY);

  beforeAll(async () => {
    h = await startHarness('silobreaker');
    out = join(h.work, 'cdktf.out');
    stack = join(out, 'stacks', 'silobreaker');
    expectExit(await cdktfSynth('silobreaker', out, h.env), 0);
    expectExit(await tf('init', '-input=false'), 0);
  });

  afterAll(async () => {
    await h?.close();
  });

  // The steps build on each other (one stack, one sandbox), so they run as one test; a failing step says which.
  const { step, run } = lifecycle();

  step('applies the example: one key with its shared key in state, the data source and the signed URL output', async () => {
    const json = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8'));
    expect(json.output.signed_search_url.value).toContain('provider::apiaccess::silobreaker_signed_url(');
    expect(json.resource.apiaccess_silobreaker_password).toBeUndefined();
    const apply = expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(managed().map((k) => k.Description)).toEqual(['threat feed ingestion']);
    const o = JSON.parse(expectExit(await tf('output', '-json'), 0).stdout);
    expect(o.api_key.value).toBe(managed()[0]!.ApiKey);
    expect(o.key_count.value).toBe(2);
    expect(o.shared_key.sensitive).toBe(true);
    expect(o.signed_search_url.sensitive).toBe(true);
    expect(o.signed_search_url.value).toMatch(
      new RegExp(`^https://api\\.silobreaker\\.com/search/documents/Sweden\\?type=json&apiKey=${o.api_key.value}&digest=[A-Za-z0-9%]+$`),
    );
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('a description changed at the vendor shows as a replacement naming description (exit 2); apply repairs it', async () => {
    putKeys(
      h,
      keysOf(h).map((k) => (k.Description === 'threat feed ingestion' ? { ...k, Description: 'renamed in console' } : k)),
    );
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toMatch(/~ description\s+= "renamed in console" -> "threat feed ingestion" # forces replacement/);
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(managed().map((k) => k.Description)).toEqual(['threat feed ingestion']);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('a key deleted at the vendor is planned for creation', async () => {
    putKeys(
      h,
      keysOf(h).filter((k) => k.ApiKey === SEED_API_KEY),
    );
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('# apiaccess_silobreaker_api_key.feeds will be created');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('imports a key made at the vendor with an import block; the generated config plans no change; the shared key stays null with a warning', async () => {
    const session = await login(h, SEED_PASSWORD);
    const res = await fetch(`${h.sandbox.baseUrl}/silobreaker/v1/apikeys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie! },
      body: JSON.stringify({ Description: 'made in console' }),
    });
    expect(res.status).toBe(200);
    const made = (await res.json()) as KeyDoc;
    writeFileSync(join(stack, 'import.tf.json'), JSON.stringify({ import: [{ to: 'apiaccess_silobreaker_api_key.imported', id: made.ApiKey }] }));
    const gen = expectExit(await tf('plan', '-input=false', '-generate-config-out=generated.tf'), 0);
    expect(gen.stdout).toContain('1 to import');
    expect(readFileSync(join(stack, 'generated.tf'), 'utf8')).toContain('description     = "made in console"');
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.');
    const apply = expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(apply.stdout + apply.stderr).toContain('Value Not Imported');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
    const state = JSON.parse(expectExit(await tf('show', '-json'), 0).stdout);
    const imported = state.values.root_module.resources.find((r: { address: string }) => r.address === 'apiaccess_silobreaker_api_key.imported');
    expect(imported.values).toMatchObject({ api_key: made.ApiKey, shared_key: null, description: 'made in console' });
  });

  step('keeps shared keys in state as sensitive and out of cdktf.out, CLI output and TF_LOG=trace', async () => {
    const log = join(h.work, 'trace.log');
    const run = expectExit(await runTerraform(['plan', '-input=false'], stack, { ...h.env, TF_LOG: 'trace', TF_LOG_PATH: log }), 0);
    const trace = readFileSync(log, 'utf8');
    expect(trace).toContain('provider.terraform-provider-apiaccess');
    const issued = managed().map((k) => k.SharedKey);
    const shared = [...issued, SEED_SHARED_KEY, SEED_PASSWORD];
    const state = JSON.parse(expectExit(await tf('show', '-json'), 0).stdout);
    const feeds = state.values.root_module.resources.find((r: { address: string }) => r.address === 'apiaccess_silobreaker_api_key.feeds');
    expect(shared.includes(feeds.values.shared_key)).toBe(true);
    expect(feeds.sensitive_values.shared_key).toBe(true);
    // The provider mirror (terraform.d, and the copy terraform init installs in .terraform) is the bundled provider, which carries the sandbox seed constants; no issued key is anywhere.
    expectNoSecret('cdktf.out', readTree(out, /^terraform\.tfstate|^generated\.tf$/), issued);
    expectNoSecret('cdktf.out outside the provider mirror', readTree(out, /^terraform\.tfstate|^generated\.tf$|^terraform\.d$|^\.terraform$/), shared);
    expectNoSecret('CLI output', outputs.join('\n') + run.stdout + run.stderr, shared);
    expectNoSecret('TF_LOG=trace', trace, shared);
  });

  step('destroys everything it manages; the sandbox holds only its seed', async () => {
    const destroy = expectExit(await tf('destroy', '-auto-approve', '-input=false'), 0);
    expect(destroy.stdout).toContain('Destroy complete! Resources: 2 destroyed.');
    expect(keysOf(h).map((k) => k.ApiKey)).toEqual([SEED_API_KEY]);
  });
  it('the whole lifecycle: apply → plan 0 → drift → repair → out-of-band delete → import → secret hygiene → destroy', async () => {
    await run();
  }, 300_000);
});

describe('issue 11: Silobreaker password rotation (write-only) and the signed-URL function', () => {
  let h: Harness;
  const NEW = 'Rotated-Passw0rd-e2e-2026';

  beforeEach(async () => {
    h = await startHarness('silobreaker-pw');
  });

  afterEach(async () => {
    await h?.close();
  });

  /** A stack with explicit Silobreaker settings (the password changes, so the sandbox seed would not do). */
  function stack(resources: Record<string, Record<string, unknown>>, extra: object = {}): string {
    const dir = stackWith(h, 'pw', resources);
    writeFileSync(join(dir, 'vars.tf.json'), JSON.stringify(extra));
    h.env = {
      ...h.env,
      APIACCESS_SILOBREAKER_BASE_URL: `${h.sandbox.baseUrl}/silobreaker`,
      APIACCESS_SILOBREAKER_USERNAME: SEED_USERNAME,
      APIACCESS_SILOBREAKER_PASSWORD: SEED_PASSWORD,
    };
    return dir;
  }

  it('rotates through password_wo: never in plan, state, output or trace; the old password gets Delay, the new one logs in', async () => {
    const dir = stack(
      { apiaccess_silobreaker_password: { user: { password_wo: '${var.new_password}', password_wo_version: 1 } } },
      { variable: { new_password: { type: 'string', sensitive: true, ephemeral: true } } },
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const log = join(h.work, 'pw-trace.log');
    const env = { ...h.env, TF_VAR_new_password: NEW, TF_LOG: 'trace', TF_LOG_PATH: log };
    const plan = expectExit(await runTerraform(['plan', '-input=false', '-out=tfplan'], dir, env), 0);
    expect(plan.stdout).toContain('password_wo         = (write-only attribute)');
    const apply = expectExit(await runTerraform(['apply', '-input=false', 'tfplan'], dir, env), 0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added');
    const calls = h.sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path} ${c.status}`);
    expect(calls.filter((c) => c.includes('/v1/changepassword'))).toEqual(['POST /v1/changepassword 200']);
    expect(calls.slice(-2)).toEqual(['POST /v1/logout 200', 'POST /v1/login 200']);
    const state = readFileSync(join(dir, 'terraform.tfstate'), 'utf8');
    const planFile = expectExit(await runTerraform(['show', '-json', 'tfplan'], dir, h.env), 0).stdout;
    expect(JSON.parse(state).resources[0].instances[0].attributes).toMatchObject({ password_wo: null, password_wo_version: 1 });
    expectNoSecret('state, plan, output or trace', state + planFile + plan.stdout + plan.stderr + apply.stdout + apply.stderr + readFileSync(log, 'utf8'), [
      NEW,
    ]);

    expect((await login(h, NEW)).status).toBe('Success');
    expect((await login(h, SEED_PASSWORD)).status).toBe('Delay');

    // The next run reads the new password from the same secret store (after the delay the old one earned).
    await fetch(`${h.sandbox.baseUrl}/__sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 11 }),
    });
    expectExit(
      await runTerraform(['plan', '-detailed-exitcode', '-input=false'], dir, { ...h.env, APIACCESS_SILOBREAKER_PASSWORD: NEW, TF_VAR_new_password: NEW }),
      0,
    );
  });

  it('a wrong current password: a diagnostic on silobreaker_password with the remaining delay, two logins with the delay waited out', async () => {
    const dir = stack(
      { apiaccess_silobreaker_password: { user: { password_wo: '${var.new_password}', password_wo_version: 1 } } },
      { variable: { new_password: { type: 'string', sensitive: true, ephemeral: true } } },
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const started = Date.now();
    const plan = expectExit(
      await runTerraform(['plan', '-input=false'], dir, { ...h.env, APIACCESS_SILOBREAKER_PASSWORD: 'Wrong-Passw0rd-0000', TF_VAR_new_password: NEW }),
      1,
    );
    const waited = Date.now() - started;
    expect(plan.stderr).toContain('Invalid Provider Credentials');
    expect(plan.stderr).toContain('silobreaker_password');
    expect(plan.stderr).toMatch(/next attempt is allowed in \d+ s/);
    expect(plan.stderr + plan.stdout).not.toContain('Wrong-Passw0rd-0000');
    expect(h.sandbox.calls('silobreaker').map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v1/login', 'POST /v1/login']);
    expect(waited).toBeGreaterThanOrEqual(9_500); // the first Delay (10 s) was waited out before the second attempt
    expect(h.sandbox.calls('silobreaker').some((c) => c.path === '/v1/changepassword')).toBe(false);
  });

  it('the function signs GET and POST URLs the sandbox accepts; a one-byte change of the body is refused', async () => {
    const base = `${h.sandbox.baseUrl}/silobreaker/search/documents/Sweden`;
    const body = '{"id": "example"}\n';
    const fn = (method: string, url: string, b: string | null) =>
      `\${provider::apiaccess::silobreaker_signed_url("${method}", "${url}", "${SEED_API_KEY}", var.shared_key, ${b === null ? 'null' : JSON.stringify(b).replace(/\$/g, '$$')})}`;
    const dir = stack(
      {},
      {
        variable: { shared_key: { type: 'string', sensitive: true } },
        output: { get: { value: fn('GET', `${base}?type=json`, null), sensitive: true }, post: { value: fn('POST', base, body), sensitive: true } },
      },
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const env = { ...h.env, TF_VAR_shared_key: SEED_SHARED_KEY };
    expectExit(await runTerraform(['apply', '-auto-approve', '-input=false'], dir, env), 0);
    const o = JSON.parse(expectExit(await runTerraform(['output', '-json'], dir, env), 0).stdout);
    expect(o.get.sensitive).toBe(true);
    expect((await fetch(o.get.value)).status).toBe(200);
    const post = (b: string) => fetch(o.post.value, { method: 'POST', body: b, headers: { 'content-type': 'application/json' } });
    expect((await post(body)).status).toBe(200);
    expect((await post(body.replace('example', 'examplf'))).status).toBe(401);
  });
});

describe('issue 11: Silobreaker input the vendor would reject fails terraform plan with no management call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('silobreaker-bad');
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['an empty description', { apiaccess_silobreaker_api_key: { x: { description: '' } } }, 'description'],
    ['a description over 200 characters', { apiaccess_silobreaker_api_key: { x: { description: 'd'.repeat(201) } } }, 'description'],
    ['a value on a computed attribute', { apiaccess_silobreaker_api_key: { x: { description: 'ok', shared_key: 'x' } } }, 'shared_key'],
    ['a malformed rotation_period', { apiaccess_silobreaker_api_key: { x: { description: 'ok', rotation_period: '30 days' } } }, 'rotation_period'],
    ['a password under 8 characters', { apiaccess_silobreaker_password: { x: { password_wo: 'short', password_wo_version: 1 } } }, 'password_wo'],
  ])('%s', async (_what, resources, attribute) => {
    const dir = plainStack(h, `bad-${attribute}-${Math.random().toString(36).slice(2, 8)}`, resources);
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const before = h.sandbox.calls('silobreaker').length;
    const plan = expectExit(await h.tf(dir, 'plan', '-input=false'), 1);
    expect(plan.stderr).toContain(attribute);
    expect(h.sandbox.calls('silobreaker').slice(before)).toEqual([]);
  });

  it('a bad URL given to the function fails the plan naming the argument, with no vendor call', async () => {
    const dir = stackWith(h, 'bad-fn', {});
    writeFileSync(
      join(dir, 'out.tf.json'),
      JSON.stringify({ output: { u: { value: '${provider::apiaccess::silobreaker_signed_url("GET", "not a url", "k", "s", null)}' } } }),
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const plan = expectExit(await h.tf(dir, 'plan', '-input=false'), 1);
    expect(plan.stderr).toContain('Invalid value for "url" parameter: silobreaker_signed_url: url must be an');
    expect(h.sandbox.calls('silobreaker')).toEqual([]);
  });
});
