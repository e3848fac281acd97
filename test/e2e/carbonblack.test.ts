/**
 * Issue 9 acceptance with the real terraform binary against the sandbox: Carbon Black API keys
 * through their lifecycle (VENDOR-DONE §11), the bad-input table, secret hygiene, the routes a
 * created key really opens, and 40 keys planned and applied within one shared budget.
 *
 * Clocks: the provider's shared budget runs on the sandbox clock (APIACCESS_BUDGET_CLOCK=sandbox,
 * see src/vendors/carbonblack/budget.ts): its stamps are the times the emulator counts calls by,
 * and a wait for the budget moves the sandbox clock forward instead of sleeping. Each test has its
 * own APIACCESS_BUDGET_DIR, so no other run on the machine shares its budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform } from '../../src/bin/terraform-cli';
import type { CarbonBlackEmulator } from '../../src/vendors/carbonblack/emulator';
import { SEED_KEY_ADMIN_KEY } from '../../src/vendors/carbonblack/emulator';
import { configStack } from './_config';
import { cdktfSynth, expectExit, readTree, startHarness, type Harness, type TerraformRunLike, lifecycle } from './_harness';

jest.setTimeout(120_000);

const ADMIN = `${SEED_KEY_ADMIN_KEY.apiSecretKey}/${SEED_KEY_ADMIN_KEY.apiId}`;
const SEED_IDS = ['SBXAPI0001', 'SBXKEYS004', 'SBXLIVE003', 'SBXSIEM002'];
const WINDOW_MS = 5 * 60 * 1000;

interface KeyDoc {
  api_id: string;
  name: string;
}

async function harness(prefix: string): Promise<Harness> {
  const h = await startHarness(prefix);
  h.env = { ...h.env, APIACCESS_BUDGET_DIR: join(h.work, 'budget'), APIACCESS_BUDGET_CLOCK: 'sandbox' };
  return h;
}

const keys = (h: Harness): KeyDoc[] => (h.sandbox.snapshot().carbonblack as { apiKeys: KeyDoc[] }).apiKeys;
const emulator = (h: Harness): CarbonBlackEmulator => h.sandbox.emulator<CarbonBlackEmulator>('carbonblack');

async function cb(h: Harness, method: string, path: string, token: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.sandbox.baseUrl}/carbonblack${path}`, {
    method,
    headers: { 'x-auth-token': token, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const KEYS = '/appservices/v6/orgs/ABCD1234/api_keys';

function stateOf(dir: string): Map<string, Record<string, unknown>> {
  const state = JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as {
    resources: { type: string; name: string; instances: { attributes: Record<string, unknown>; sensitive_attributes: unknown }[] }[];
  };
  return new Map(state.resources.filter((r) => r.type === 'apiaccess_carbonblack_api_key').map((r) => [r.name, r.instances[0]!.attributes]));
}

describe('issue 9: apiaccess_carbonblack_api_key through terraform', () => {
  let h: Harness;
  let dir: string;
  const outputs: string[] = [];
  const issued = new Set<string>();
  const tf = async (...args: string[]): Promise<TerraformRunLike> => {
    const run = await h.tf(dir, ...args);
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const remember = (): void => {
    for (const a of stateOf(dir).values()) if (typeof a.api_secret_key === 'string') issued.add(a.api_secret_key);
  };

  /** The lifecycle's steps build on each other, so they run in order inside one test. */
  const { step, run } = lifecycle();

  beforeAll(async () => {
    h = await harness('cb');
    dir = configStack(h, 'keys', {
      resource: {
        apiaccess_carbonblack_api_key: {
          siem: { name: 'splunk-siem', access_level: 'SIEM', description: 'Splunk connector' },
          lr: { name: 'edr-automation', access_level: 'LIVE_RESPONSE', allowed_ip_addresses: ['203.0.113.0/24'] },
        },
      },
      output: { api_ids: { value: { siem: '${apiaccess_carbonblack_api_key.siem.api_id}', lr: '${apiaccess_carbonblack_api_key.lr.api_id}' } } },
    });
    expectExit(await tf('init', '-input=false'), 0);
  });

  afterAll(async () => {
    await h?.close();
  });

  step('applies two keys; the SIEM key from state opens v3/notification and not v3/device; state holds the secrets as sensitive', async () => {
    expect(expectExit(await tf('apply', '-auto-approve', '-input=false'), 0).stdout).toContain('Apply complete! Resources: 2 added');
    remember();
    const siem = stateOf(dir).get('siem')!;
    expect(siem.x_auth_token).toBe(`${String(siem.api_secret_key)}/${String(siem.api_id)}`);
    expect((await cb(h, 'GET', '/integrationServices/v3/notification', String(siem.x_auth_token))).status).toBe(200);
    expect((await cb(h, 'GET', '/integrationServices/v3/device', String(siem.x_auth_token))).status).toBe(401);
    const raw = readFileSync(join(dir, 'terraform.tfstate'), 'utf8');
    expect(raw).toContain('"value": "api_secret_key"');
    expect(raw).toContain('"value": "x_auth_token"');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('a key limited to 203.0.113.0/24 answers 401 from another caller IP and 200 from inside the range', async () => {
    const lr = stateOf(dir).get('lr')!;
    const token = String(lr.x_auth_token);
    expect((await cb(h, 'GET', '/integrationServices/v3/device', token)).status).toBe(401);
    await fetch(`${h.sandbox.baseUrl}/__sandbox/caller-ip`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"ip":"198.51.100.7"}' });
    expect((await cb(h, 'GET', '/integrationServices/v3/device', token)).status).toBe(401);
    await fetch(`${h.sandbox.baseUrl}/__sandbox/caller-ip`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"ip":"203.0.113.9"}' });
    expect((await cb(h, 'GET', '/integrationServices/v3/device', token)).status).toBe(200);
    await fetch(`${h.sandbox.baseUrl}/__sandbox/caller-ip`, { method: 'DELETE' });
  });

  step('a change in the console plans exit 2 naming the attribute; apply repairs it', async () => {
    const id = String(stateOf(dir).get('siem')!.api_id);
    expect((await cb(h, 'PUT', `${KEYS}/${id}`, ADMIN, { description: 'edited in console' })).status).toBe(200);
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toMatch(/~ description\s+= "edited in console" -> "Splunk connector"/);
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('a regeneration in the console: the plan names the stale secret with the reason; apply regenerates in place and the new secret works', async () => {
    const before = stateOf(dir).get('siem')!;
    h.sandbox.clock.advance(1000);
    expect((await cb(h, 'POST', `${KEYS}/${String(before.api_id)}/_regenerate`, ADMIN)).status).toBe(200);
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('apiaccess_carbonblack_api_key.siem will be updated in-place');
    expect(plan.stdout).toMatch(/~ api_secret_key\s+= \(sensitive value\)/);
    const text = `${plan.stdout}${plan.stderr}`.replace(/\s+/g, ' ');
    expect(text).toContain('Secret Regenerated Outside Terraform');
    expect(text).toContain('the stored secret is stale');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    remember();
    const after = stateOf(dir).get('siem')!;
    expect(after.api_id).toBe(before.api_id);
    expect(after.api_secret_key).not.toBe(before.api_secret_key);
    expect((await cb(h, 'GET', '/integrationServices/v3/notification', String(after.x_auth_token))).status).toBe(200);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('a key deleted out of band is planned for creation; apply brings it back', async () => {
    const id = String(stateOf(dir).get('lr')!.api_id);
    expect((await cb(h, 'DELETE', `${KEYS}/${id}`, ADMIN)).status).toBe(200);
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('# apiaccess_carbonblack_api_key.lr will be created');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    remember();
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('imports a key made in the console: the secret stays null with a warning, and the plan is empty', async () => {
    const made = await cb(h, 'POST', KEYS, ADMIN, { name: 'console-made', access_level_type: 'API', allowed_ip_addresses: [] });
    expect(made.status).toBe(201);
    issued.add(String(made.body.api_secret_key));
    const id = String(made.body.api_id);
    writeFileSync(
      join(dir, 'imported.tf.json'),
      JSON.stringify({ resource: { apiaccess_carbonblack_api_key: { imported: { name: 'console-made', access_level: 'API' } } } }),
    );
    const imp = expectExit(await tf('import', '-input=false', 'apiaccess_carbonblack_api_key.imported', id), 0);
    expect(`${imp.stdout}${imp.stderr}`).toContain('Value Not Imported');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
    expect(stateOf(dir).get('imported')).toMatchObject({ api_id: id, api_secret_key: null, x_auth_token: null });
  });

  step('an import {} block with plan -generate-config-out writes config that plans to no changes after the import', async () => {
    const made = await cb(h, 'POST', KEYS, ADMIN, { name: 'generated', access_level_type: 'SIEM', allowed_ip_addresses: ['198.51.100.0/24'] });
    expect(made.status).toBe(201);
    issued.add(String(made.body.api_secret_key));
    writeFileSync(join(dir, 'import.tf'), `import {\n  to = apiaccess_carbonblack_api_key.generated\n  id = "${String(made.body.api_id)}"\n}\n`);
    expectExit(await tf('plan', '-input=false', '-generate-config-out=generated.tf'), 0);
    const generated = readFileSync(join(dir, 'generated.tf'), 'utf8');
    expect(generated).toContain('access_level');
    expect(generated).not.toContain('api_secret_key');
    expect(expectExit(await tf('apply', '-auto-approve', '-input=false'), 0).stdout).toContain('1 imported');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('never shows an issued secret in plan/apply output or provider logs at TF_LOG=trace', async () => {
    const log = join(h.work, 'trace.log');
    expectExit(await runTerraform(['plan', '-input=false'], dir, { ...h.env, TF_LOG: 'trace', TF_LOG_PATH: log }), 0);
    const trace = readFileSync(log, 'utf8');
    expect(trace).toContain('provider.terraform-provider-apiaccess');
    expect(issued.size).toBeGreaterThanOrEqual(4);
    const haystacks = { cli: outputs.join('\n'), trace };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of [...issued, SEED_KEY_ADMIN_KEY.apiSecretKey]) {
        // Booleans only: a failing matcher would print the secret.
        if (text.includes(secret)) throw new Error(`an issued secret leaked into ${where}`);
      }
    }
  });

  step('destroys what it manages; the sandbox is back at its seeded keys', async () => {
    expectExit(await tf('destroy', '-auto-approve', '-input=false'), 0);
    expect(
      keys(h)
        .map((k) => k.api_id)
        .sort(),
    ).toEqual(SEED_IDS);
  });
  it('lifecycle: apply, routes, console change, console regeneration, out-of-band delete, import (also by import block), secret hygiene, destroy to seed', async () => {
    await run();
  });
});

describe('issue 9: bad input is refused at plan, naming the attribute, with no management call', () => {
  it('rejects each shape Carbon Black would refuse', async () => {
    const h = await harness('cb-bad');
    try {
      const bad: Record<string, Record<string, unknown>> = {
        level: { name: 'a', access_level: 'ADMIN' },
        custom_without_custom: { name: 'b', access_level: 'SIEM', custom_access_level_id: 1002 },
        custom_missing: { name: 'c', access_level: 'CUSTOM' },
        cidr: { name: 'd', access_level: 'API', allowed_ip_addresses: ['203.0.113.0/33'] },
        ipv4: { name: 'e', access_level: 'API', allowed_ip_addresses: ['203.0.113.256'] },
        empty_name: { name: ' ', access_level: 'API' },
        long_name: { name: 'n'.repeat(65), access_level: 'API' },
        rotation: { name: 'f', access_level: 'API', rotation_period: 'monthly' },
      };
      const dir = configStack(h, 'bad', { resource: { apiaccess_carbonblack_api_key: bad } });
      expectExit(await h.tf(dir, 'init', '-input=false'), 0);
      const plan = expectExit(await h.tf(dir, 'plan', '-input=false', '-no-color'), 1);
      const text = plan.stderr.replace(/\s+/g, ' ');
      for (const [name, attribute] of [
        ['level', 'access_level'],
        ['custom_without_custom', 'custom_access_level_id'],
        ['custom_missing', 'custom_access_level_id'],
        ['cidr', 'allowed_ip_addresses'],
        ['ipv4', 'allowed_ip_addresses'],
        ['empty_name', 'name'],
        ['long_name', 'name'],
        ['rotation', 'rotation_period'],
      ]) {
        expect(text).toMatch(new RegExp(`with apiaccess_carbonblack_api_key\\.${name}, .*?${attribute}`));
      }
      expect(h.sandbox.calls('carbonblack').filter((c) => c.method !== 'GET')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('issue 9: 40 keys within one budget of 25 calls per 5 minutes', () => {
  it('plan + apply of 40 keys: 0 × 429, at most 25 calls in any 5-minute window, time within 1.1× of what the limit forces', async () => {
    const h = await harness('cb-40');
    try {
      const resources = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, { name: `bulk-${i}`, access_level: 'API' }]));
      const dir = configStack(h, 'forty', { resource: { apiaccess_carbonblack_api_key: resources } });
      expectExit(await h.tf(dir, 'init', '-input=false'), 0);
      const env = { ...h.env, TF_LOG: 'info', TF_LOG_PATH: join(h.work, 'info.log') };
      expectExit(await runTerraform(['plan', '-input=false', '-out=tfplan'], dir, env), 0);
      expectExit(await runTerraform(['apply', '-input=false', 'tfplan'], dir, env), 0);
      expect(keys(h).filter((k) => k.name.startsWith('bulk-'))).toHaveLength(40);

      const calls = emulator(h).callTimes(SEED_KEY_ADMIN_KEY.apiId);
      expect(calls.filter((c) => c.status === 429)).toEqual([]);
      expect(h.sandbox.calls('carbonblack').filter((c) => c.status === 429)).toEqual([]);
      const times = calls.map((c) => c.at).sort((a, b) => a - b);
      const most = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + WINDOW_MS).length));
      expect(most).toBeLessThanOrEqual(25);
      // The limit forces call n (0-based) to come at least floor(n / 25) windows after the first.
      const forced = Math.floor((times.length - 1) / 25) * WINDOW_MS;
      const took = times[times.length - 1]! - times[0]!;
      expect(times.length).toBeGreaterThanOrEqual(41);
      expect(took).toBeGreaterThanOrEqual(forced);
      expect(took).toBeLessThanOrEqual(forced * 1.1);
      // Refresh cost: a plan of the 40 keys reads them from one list per provider process.
      h.sandbox.journal.length = 0;
      expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
      const reads = h.sandbox.calls('carbonblack').map((c) => `${c.method} ${c.path.replace(/api_keys\/[A-Z0-9]+$/, 'api_keys/:id')}`);
      expect(reads.filter((c) => c.endsWith('/api_keys/:id'))).toEqual([]);
      // One list for the credential check, one for the refresh.
      expect(reads).toEqual(['GET /appservices/v6/orgs/ABCD1234/api_keys', 'GET /appservices/v6/orgs/ABCD1234/api_keys']);
      // TF_LOG=info explains the wait.
      expect(readFileSync(join(h.work, 'info.log'), 'utf8')).toMatch(/carbonblack: waiting \d+ s for the rate budget/);
    } finally {
      await h.close();
    }
  });
});

describe('issue 9: examples/carbonblack through cdktf synth and terraform', () => {
  it('synthesizes without a secret, applies a SIEM key and an IP-limited Live Response key, outputs their API IDs, destroys back to the seed', async () => {
    const h = await harness('cb-example');
    try {
      const out = join(h.work, 'cdktf.out');
      const stack = join(out, 'stacks', 'carbonblack');
      expectExit(await cdktfSynth('carbonblack', out, h.env), 0);
      const json = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      expect(json.resource.apiaccess_carbonblack_api_key!['live-response']).toMatchObject({
        access_level: 'LIVE_RESPONSE',
        allowed_ip_addresses: ['203.0.113.0/24'],
      });
      expectExit(await h.tf(stack, 'init', '-input=false'), 0);
      const apply = expectExit(await h.tf(stack, 'apply', '-auto-approve', '-input=false'), 0);
      const ids = JSON.parse(expectExit(await h.tf(stack, 'output', '-json'), 0).stdout) as Record<string, { value: unknown; sensitive: boolean }>;
      const apiIds = ids.api_ids!.value as { siem: string; live_response: string };
      expect(keys(h).map((k) => k.api_id)).toEqual(expect.arrayContaining([apiIds.siem, apiIds.live_response]));
      expect(ids.siem_x_auth_token!.sensitive).toBe(true);
      const state = stateOf(stack);
      const secrets = [...state.values()].map((a) => String(a.api_secret_key));
      expect(secrets).toHaveLength(2);
      // The provider mirror (terraform.d, and its copy in .terraform) holds the provider bundle, which carries the sandbox's published seed for sandboxSettings: skipped.
      const synthesized = readTree(out, /^(terraform\.tfstate.*|terraform\.d|\.terraform)$/);
      for (const secret of [...secrets, SEED_KEY_ADMIN_KEY.apiSecretKey]) {
        // Booleans only: a failing matcher would print the secret.
        if (synthesized.includes(secret)) throw new Error('a secret leaked into cdktf.out');
        if (`${apply.stdout}${apply.stderr}`.includes(secret)) throw new Error('a secret leaked into the apply output');
      }
      expectExit(await h.tf(stack, 'plan', '-detailed-exitcode', '-input=false'), 0);
      expectExit(await h.tf(stack, 'destroy', '-auto-approve', '-input=false'), 0);
      expect(
        keys(h)
          .map((k) => k.api_id)
          .sort(),
      ).toEqual(SEED_IDS);
    } finally {
      await h.close();
    }
  });
});
