/**
 * Issue 10 acceptance: Threat Jammer through the real terraform binary against the sandbox.
 * VENDOR-DONE §11 as it applies to an adopted singleton (the user's one key: nothing is created
 * from nothing, destroy disables it): examples/threatjammer through cdktf synth → apply → plan 0
 * → disabled in the sandbox → plan 2 naming `enabled` → apply → plan 0 → import → destroy; rotation
 * due on the sandbox clock → in-place regeneration with the old key refused and the new one in
 * state; a regeneration on the website → a plan error naming threatjammer_api_key; the quota
 * warning and a burst of 25 data source reads without a 429; the bad-input table; secret hygiene.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserRecord } from '../../src/vendors/threatjammer/emulator';
import { SEED_API_KEY } from '../../src/vendors/threatjammer/emulator/state';
import { configStack } from './_config';
import { cdktfSynth, expectExit, readTree, startHarness, type Harness, type TerraformRunLike } from './_harness';

jest.setTimeout(120_000);

const HOUR = 3600_000;
const TYPE = 'apiaccess_threatjammer_api_key';

/** A harness whose shared rate budget lives in its own folder (the sandbox is fresh too). */
async function harness(name: string): Promise<Harness> {
  const h = await startHarness(`tj-${name}`);
  h.env.APIACCESS_BUDGET_DIR = join(h.work, 'budgets');
  return h;
}

function seedUser(h: Harness): UserRecord {
  return (h.sandbox.snapshot().threatjammer as { users: UserRecord[] }).users[0]!;
}

function putSeedUser(h: Harness, change: (u: UserRecord) => void): void {
  const doc = h.sandbox.snapshot().threatjammer as { version: 1; users: UserRecord[] };
  change(doc.users[0]!);
  h.sandbox.restore({ threatjammer: doc });
}

/** A call to the Threat Jammer User API in the sandbox, as the website or a script would make it. */
async function vendor(h: Harness, method: string, path: string, key: string): Promise<Response> {
  return fetch(`${h.sandbox.baseUrl}/threatjammer${path}`, { method, headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
}

function stateOf(dir: string): { type: string; instances: { attributes: Record<string, unknown>; sensitive_attributes?: unknown[] }[] }[] {
  return (JSON.parse(readFileSync(join(dir, 'terraform.tfstate'), 'utf8')) as { resources: never[] }).resources;
}

function keyAttributes(dir: string): Record<string, unknown> {
  return stateOf(dir).find((r) => r.type === TYPE)!.instances[0]!.attributes;
}

const both = (run: TerraformRunLike): string => `${run.stdout}\n${run.stderr}`.replace(/\s+/g, ' ');

describe('issue 10: the Threat Jammer key through cdktf + terraform (adopted singleton)', () => {
  let h: Harness;
  let stack: string;
  let quotaStack: string;
  let out: string;
  const outputs: string[] = [];
  const tf = async (...args: string[]) => {
    const run = await h.tf(stack, ...args);
    // `show -json` and `output -json` print state values, secrets included, by design; every other command's output is checked.
    if (args[0] !== 'show' && args[0] !== 'output') outputs.push(run.stdout, run.stderr);
    return run;
  };

  beforeAll(async () => {
    h = await harness('main');
    out = join(h.work, 'cdktf.out');
    stack = join(out, 'stacks', 'threatjammer');
    quotaStack = join(out, 'stacks', 'threatjammer-quota');
    expectExit(await cdktfSynth('threatjammer', out, h.env), 0);
    expectExit(await tf('init', '-input=false'), 0);
    expectExit(await h.tf(quotaStack, 'init', '-input=false'), 0);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('synthesizes the key with a sensitive output, and the quota with its output, with no key in cdktf.out', () => {
    const json = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource[TYPE])).toEqual(['key']);
    expect(json.resource[TYPE].key).toMatchObject({ enabled: true, rotation_period: '720h' });
    expect(json.output.api_key.sensitive).toBe(true);
    const quota = JSON.parse(readFileSync(join(quotaStack, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(quota.data.apiaccess_threatjammer_quota)).toEqual(['quota']);
    expect(Object.keys(quota.output)).toEqual(['monthly_remaining']);
    // The provider mirror (terraform.d) carries the provider bundle, sandbox seeds included; the stack itself holds no key.
    expect(readTree(out, /^(\.terraform|terraform\.d)$/)).not.toContain(SEED_API_KEY);
  });

  it('apply adopts the key (no create at the vendor), plan is then empty; the key is in state, sensitive', async () => {
    h.sandbox.journal.length = 0;
    const apply = expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    // Only reads: GET /v1/token (credential check, adoption read, refresh); nothing regenerated or switched.
    expect(h.sandbox.calls('threatjammer').every((c) => c.method === 'GET' && c.status === 200)).toBe(true);
    const attrs = keyAttributes(stack);
    expect(attrs).toMatchObject({ id: 'aws-eu-west-3', enabled: true, status: 'ENABLED', value: SEED_API_KEY, disable_on_destroy: true });
    expect(JSON.stringify(stateOf(stack)[0]!.instances[0]!.sensitive_attributes ?? stateOf(stack).find((r) => r.type === TYPE))).toContain('value');
    const outputsJson = JSON.parse(expectExit(await tf('output', '-json'), 0).stdout);
    expect(outputsJson.api_key).toMatchObject({ sensitive: true, value: SEED_API_KEY });
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('the quota stack outputs the remaining monthly calls', async () => {
    const apply = expectExit(await h.tf(quotaStack, 'apply', '-auto-approve', '-input=false'), 0);
    outputs.push(apply.stdout, apply.stderr);
    const o = JSON.parse(expectExit(await h.tf(quotaStack, 'output', '-json'), 0).stdout);
    const user = seedUser(h);
    expect(o.monthly_remaining.value).toBeGreaterThan(4900);
    expect(o.monthly_remaining.value).toBeLessThan(5000);
    expect(user.month.used).toBeGreaterThan(5000 - o.monthly_remaining.value);
  });

  it('a key disabled outside Terraform shows as `enabled` drift (exit 2); apply enables it again, then plan 0', async () => {
    expect((await vendor(h, 'PUT', '/v1/token/disable', SEED_API_KEY)).status).toBe(204);
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toMatch(/~ enabled\s+= false -> true/);
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(seedUser(h).key.status).toBe('ENABLED');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('imports the key by its region (terraform import) with its value; only rotation_period (kept in state) is then planned', async () => {
    expectExit(await tf('state', 'rm', `${TYPE}.key`), 0);
    const imported = expectExit(await tf('import', '-input=false', `${TYPE}.key`, 'aws-eu-west-3'), 0);
    expect(imported.stdout).toContain('Import successful!');
    expect(keyAttributes(stack)).toMatchObject({ value: SEED_API_KEY, enabled: true, rotation_period: null });
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toMatch(/\+ rotation_period\s+= "720h"/);
    expect(plan.stdout).not.toContain('known after apply');
    h.sandbox.journal.length = 0;
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(h.sandbox.calls('threatjammer').every((c) => c.method === 'GET')).toBe(true);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('destroy disables the key (disable_on_destroy) and leaves it otherwise as seeded', async () => {
    const before = seedUser(h);
    expectExit(await tf('destroy', '-auto-approve', '-input=false'), 0);
    const after = seedUser(h);
    expect(after.key.status).toBe('DISABLED');
    expect(after.key.value).toBe(before.key.value);
    expect(after.key.createdAt).toBe(before.key.createdAt);
  });

  it('no key in any plan/apply output, nor in a TF_LOG=trace plan', async () => {
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    const traced = await (async () => {
      const saved = h.env.TF_LOG;
      h.env.TF_LOG = 'trace';
      try {
        return await h.tf(stack, 'plan', '-input=false');
      } finally {
        if (saved === undefined) delete h.env.TF_LOG;
        else h.env.TF_LOG = saved;
      }
    })();
    expect(traced.code).toBe(0);
    expect(traced.stderr.length).toBeGreaterThan(1000);
    for (const text of [...outputs, traced.stdout, traced.stderr]) expect(text).not.toContain(SEED_API_KEY);
  });
});

describe('issue 10: rotation regenerates the key in place; a website regeneration fails the plan naming the setting', () => {
  let h: Harness;
  let dir: string;
  let due: TerraformRunLike;
  let applied: TerraformRunLike;
  let newKey: string;

  beforeAll(async () => {
    h = await harness('rotation');
    dir = configStack(h, 'rotation', { resource: { [TYPE]: { key: { rotation_period: '720h' } } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    // The key was issued 721 hours ago on the sandbox's clock.
    putSeedUser(h, (u) => {
      u.key.createdAt = h.sandbox.clock.now() - 721 * HOUR;
    });
    due = await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false');
    applied = expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    newKey = keyAttributes(dir).value as string;
  });

  afterAll(async () => {
    await h?.close();
  });

  it('rotation due: the plan updates value in place (exit 2) with the reason', () => {
    expect(due.code).toBe(2);
    expect(due.stdout).toContain(`# ${TYPE}.key will be updated in-place`);
    expect(due.stdout).toMatch(/~ value\s+= \(sensitive value\)/);
    expect(both(due)).toContain('Rotation Due');
    expect(both(due)).toContain('rotation due');
  });

  it('apply regenerates: the old key answers 401, the new one works and is in state; neither is in the output', async () => {
    expect(newKey).toMatch(/^tja_[0-9A-Za-z]{36}$/);
    expect(newKey).not.toBe(SEED_API_KEY);
    expect(seedUser(h).key.value).toBe(newKey);
    expect((await vendor(h, 'GET', '/test', SEED_API_KEY)).status).toBe(401);
    expect((await vendor(h, 'GET', '/test', newKey)).status).toBe(200);
    expect(both(applied)).toContain('API Key Regenerated');
    for (const text of [due.stdout, due.stderr, applied.stdout, applied.stderr]) {
      expect(text).not.toContain(newKey);
      expect(text).not.toContain(SEED_API_KEY);
    }
  });

  it('the next run with the new key (from state) plans no change', async () => {
    h.env.APIACCESS_THREATJAMMER_API_KEY = newKey;
    h.env.APIACCESS_THREATJAMMER_BASE_URL = `${h.sandbox.baseUrl}/threatjammer`;
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('a regeneration on the website: the plan fails, saying the key no longer works and naming threatjammer_api_key', async () => {
    expect((await vendor(h, 'POST', '/v1/token/regenerate', newKey)).status).toBe(200);
    const plan = await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false');
    expect(plan.code).toBe(1);
    expect(both(plan)).toContain('Invalid Provider Credentials');
    expect(both(plan)).toContain("the provider's key no longer works");
    expect(both(plan)).toContain('threatjammer_api_key');
    expect(both(plan)).toContain('regenerated');
    expect(both(plan)).not.toContain(newKey);
  });
});

describe('issue 10: an import block with -generate-config-out', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness('import');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('generates config that plans to no changes after the import is applied', async () => {
    const dir = configStack(h, 'import', { import: [{ to: `${TYPE}.key`, id: 'aws-eu-west-3' }] });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const plan = expectExit(await h.tf(dir, 'plan', '-input=false', '-generate-config-out=generated.tf'), 0);
    expect(plan.stdout).toContain('1 to import, 0 to add, 0 to change, 0 to destroy.');
    const generated = readFileSync(join(dir, 'generated.tf'), 'utf8');
    expect(generated).toMatch(/enabled\s+= true/);
    expect(generated).not.toContain(SEED_API_KEY);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    expect(keyAttributes(dir).value).toBe(SEED_API_KEY);
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
  });
});

describe('issue 10: the quota data sources', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness('quota');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('reads the 12 fields (times as RFC 3339 and Unix ms), the remaining calls and the activity, newest first', async () => {
    const dir = configStack(h, 'fields', {
      data: { apiaccess_threatjammer_quota: { q: {} }, apiaccess_threatjammer_key_activity: { a: { limit: 5 } } },
      output: {
        q: { value: '${data.apiaccess_threatjammer_quota.q}', sensitive: true },
        a: { value: '${data.apiaccess_threatjammer_key_activity.a.activities}' },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const apply = expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    expect(both(apply)).not.toContain('Monthly Quota Nearly Used');
    const o = JSON.parse(expectExit(await h.tf(dir, 'output', '-json'), 0).stdout);
    const q = o.q.value;
    const user = seedUser(h);
    expect(q).toMatchObject({
      region_id: 'aws-eu-west-3',
      status: 'ENABLED',
      last_month_bucket_init_value: 5000,
      last_minute_bucket_init_value: 10,
      last_minute_bucket_refill_ratio: 1,
      created_at_ms: user.key.createdAt,
      created_at: new Date(user.key.createdAt).toISOString(),
      last_month_bucket_refresh_ms: user.registeredAt + 30 * 24 * HOUR,
      warn_at_percent: 90,
    });
    expect(q.monthly_remaining).toBe(5000 - q.last_month_bucket_value);
    expect(q.minute_remaining).toBe(10 - q.last_minute_bucket_value);
    expect(q.self).toBe(`/v1/token/${SEED_API_KEY}`);
    expect(o.a.value.map((x: { event: string }) => x.event)).toEqual(['TOKEN_CREATED']);
  });

  it('a monthly bucket 90 % spent or more gives the plan a warning', async () => {
    putSeedUser(h, (u) => {
      u.month.used = 4600;
    });
    const dir = configStack(h, 'warn', { data: { apiaccess_threatjammer_quota: { q: {} } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const plan = expectExit(await h.tf(dir, 'plan', '-input=false'), 0);
    expect(both(plan)).toContain('Threat Jammer Monthly Quota Nearly Used');
    expect(both(plan)).toMatch(/used 460\d of its 5000 monthly calls/);
  });

  it('a burst of 25 data source reads in one plan: 0 failures and no 429, the bucket shared across processes', async () => {
    const reads = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`q${i}`, {}]));
    const dir = configStack(h, 'burst', { data: { apiaccess_threatjammer_quota: reads } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    const plan = expectExit(await h.tf(dir, 'plan', '-input=false'), 0);
    expect(plan.stdout).not.toContain('Error');
    const calls = h.sandbox.calls('threatjammer');
    expect(calls.filter((c) => c.path === '/v1/token' && c.status === 200)).toHaveLength(25);
    expect(calls.filter((c) => c.status === 429)).toEqual([]);
  });
});

describe('issue 10: bad input fails the plan before any management call', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness('bad');
  });

  afterAll(async () => {
    await h?.close();
  });

  it.each([
    ['a key too short', 'tja_abcdefgh', /threatjammer_api_key is 12 characters long, expected 40/],
    ['a key with a bad character', `tja_${'a'.repeat(20)}-${'b'.repeat(15)}`, /threatjammer_api_key has "-" at position 25, which is not base-62/],
    ['a key with a wrong prefix', `tjb_${'a'.repeat(36)}`, /threatjammer_api_key does not start with "tja_" \(position 3 differs\)/],
  ])('APIACCESS_THREATJAMMER_API_KEY: %s is refused naming position or length, never echoing the key', async (_name, key, message) => {
    const dir = configStack(h, `env-${key.length}-${key.charCodeAt(2)}`, { resource: { [TYPE]: { key: {} } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    const env = { ...h.env };
    h.env = { ...env, APIACCESS_THREATJAMMER_API_KEY: key, APIACCESS_THREATJAMMER_BASE_URL: `${h.sandbox.baseUrl}/threatjammer` };
    const plan = await h.tf(dir, 'plan', '-input=false').finally(() => (h.env = env));
    expect(plan.code).toBe(1);
    expect(both(plan)).toMatch(message);
    expect(both(plan)).not.toContain(key);
    expect(h.sandbox.calls('threatjammer')).toEqual([]);
  });

  it('threatjammer_api_key in the provider block is checked the same way on the setting (terraform quotes the line, our words never do)', async () => {
    const key = 'tja_abcdefgh';
    const dir = configStack(h, 'block', { resource: { [TYPE]: { key: {} } } });
    const main = JSON.parse(readFileSync(join(dir, 'main.tf.json'), 'utf8'));
    main.provider.apiaccess = { threatjammer_api_key: key, threatjammer_base_url: `${h.sandbox.baseUrl}/threatjammer` };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(main));
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const detail = both(plan).slice(both(plan).indexOf('threatjammer_api_key is'));
    expect(detail).toMatch(/^threatjammer_api_key is 12 characters long, expected 40/);
    expect(detail).not.toContain(key);
    expect(h.sandbox.calls('threatjammer')).toEqual([]);
  });

  it('attribute values the vendor would refuse fail the plan on the attribute, with no call at all', async () => {
    const dir = configStack(h, 'attrs', {
      resource: { [TYPE]: { key: { rotation_period: '30d' } } },
      data: { apiaccess_threatjammer_key_activity: { a: { limit: 101 } }, apiaccess_threatjammer_quota: { q: { warn_at_percent: 0 } } },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    const text = both(plan);
    expect(text).toContain('rotation_period is "30d"; it must be a positive duration');
    expect(text).toContain('limit is 101; it must be a whole number from 1 to 100 entries');
    expect(text).toContain('warn_at_percent is 0; it must be a whole number from 1 to 100 percent');
    expect(h.sandbox.calls('threatjammer')).toEqual([]);
  });

  it('a second apiaccess_threatjammer_api_key for the same user is a plan error, and nothing is changed', async () => {
    const dir = configStack(h, 'two', { resource: { [TYPE]: { one: {}, two: { enabled: false } } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    h.sandbox.journal.length = 0;
    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.code).toBe(1);
    expect(both(plan)).toContain('Second Threat Jammer API Key');
    expect(h.sandbox.calls('threatjammer').every((c) => c.method === 'GET')).toBe(true);
  });
});
