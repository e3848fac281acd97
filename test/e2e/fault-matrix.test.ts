/**
 * issue 6: the fault matrix, through the real terraform binary against the sandbox. Every case has
 * its own sandbox and stack. After each, the vendor holds exactly the objects Terraform state names
 * (0 duplicates, 0 orphans), and every secret value in state works at the token endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isProcessRunning } from '../../src/core/file-lock';
import type { SignicatEmulator } from '../../src/vendors/signicat/emulator';
import { SEED_CLIENT_ID } from '../../src/vendors/signicat/emulator/state';
import { expectExit, plainStack, startHarness, type Harness } from './_harness';

jest.setTimeout(150_000);

interface VendorClient {
  id: string;
  name: string;
  secrets: { id: string }[];
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness('faults');
});
afterEach(async () => {
  await h.close();
});

const vendorClients = (): VendorClient[] => (h.sandbox.snapshot().signicat as { clients: VendorClient[] }).clients.filter((c) => c.id !== SEED_CLIENT_ID);

async function fault(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${h.sandbox.baseUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
}
async function clearFaults(): Promise<void> {
  expect((await fetch(`${h.sandbox.baseUrl}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
}

interface StateObjects {
  clients: string[];
  secrets: { clientId: string; secretId: string; value: string | null }[];
}
async function stateObjects(dir: string): Promise<StateObjects> {
  const run = expectExit(await h.tf(dir, 'show', '-json'), 0);
  const doc = JSON.parse(run.stdout) as { values?: { root_module?: { resources?: { type: string; values: Record<string, string | null> }[] } } };
  const resources = doc.values?.root_module?.resources ?? [];
  return {
    clients: resources.filter((r) => r.type === 'apiaccess_signicat_api_client').map((r) => r.values.id!),
    secrets: resources
      .filter((r) => r.type === 'apiaccess_signicat_client_secret')
      .map((r) => ({ clientId: r.values.client_id!, secretId: r.values.secret_id!, value: r.values.value ?? null })),
  };
}

/** 0 duplicates and 0 orphans: the vendor holds exactly what state names (besides `keep`). */
async function expectVendorMatchesState(dir: string, keep: readonly string[] = []): Promise<StateObjects> {
  const state = await stateObjects(dir);
  const vendor = vendorClients().filter((c) => !keep.includes(c.id));
  expect(vendor.map((c) => c.id).sort()).toEqual([...state.clients].sort());
  expect(new Set(state.clients).size).toBe(state.clients.length);
  const vendorSecrets = vendor.flatMap((c) => c.secrets.map((s) => `${c.id}/${s.id}`)).sort();
  expect(vendorSecrets).toEqual(state.secrets.map((s) => `${s.clientId}/${s.secretId}`).sort());
  return state;
}

/** Every secret value in state logs in at the vendor's token endpoint. */
async function expectSecretsWork(state: StateObjects): Promise<void> {
  for (const s of state.secrets) {
    expect(s.value).toEqual(expect.any(String));
    const res = await fetch(`${h.sandbox.baseUrl}/signicat/auth/open/connect/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(s.clientId)}:${encodeURIComponent(s.value!)}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=signicat-api',
    });
    expect(res.status).toBe(200);
  }
}

function clientsAndSecrets(n: number, name: (i: number) => string): Record<string, Record<string, unknown>> {
  const clients: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    clients[`c${i}`] = { name: name(i) };
    secrets[`s${i}`] = { client_id: `\${apiaccess_signicat_api_client.c${i}.id}` };
  }
  return { apiaccess_signicat_api_client: clients, apiaccess_signicat_client_secret: secrets };
}

/** Starts `terraform apply` and returns the child, to kill it (or its provider) mid-apply. */
function startApply(dir: string): { child: ChildProcess; done: Promise<number> } {
  const child = spawn('terraform', ['apply', '-no-color', '-auto-approve', '-input=false', '-parallelism=4'], { cwd: dir, env: h.env, stdio: 'ignore' });
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))) };
}

/** Child PIDs of `pid` (every thread's children). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    } catch {
      // The thread ended.
    }
  }
  return out;
}

function isProvider(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('provider.bundle.js') || cmdline.includes('terraform-provider-apiaccess');
  } catch {
    return false;
  }
}

async function until(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A small seeded PRNG (mulberry32), so random faults are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Holds the answers of the next `n` keyed creates after their route ran: the objects exist, the answers are in flight. */
function holdCreates(n: number): { reached: Promise<void>; release: () => void } {
  const store = h.sandbox.emulator<SignicatEmulator>('signicat').idempotency;
  const holds = Array.from({ length: n }, () => store.holdNext());
  return { reached: Promise.all(holds.map((x) => x.reached)).then(() => undefined), release: () => holds.forEach((x) => x.release()) };
}

/**
 * Starts an apply of `dir`, holds the answers of its first two creates after their routes ran,
 * then SIGKILLs the provider or terraform itself, and releases the answers to nobody.
 */
async function killMidApply(dir: string, victim: 'provider' | 'terraform'): Promise<{ code: number; providers: number[] }> {
  const held = holdCreates(2);
  const apply = startApply(dir);
  await held.reached;
  const providers = childrenOf(apply.child.pid!).filter(isProvider);
  expect(providers.length).toBeGreaterThan(0);
  if (victim === 'provider') for (const pid of providers) process.kill(pid, 'SIGKILL');
  else apply.child.kill('SIGKILL');
  const code = await apply.done;
  held.release();
  return { code, providers };
}

describe('issue 6: fault matrix (real terraform, sandbox faults)', () => {
  it('same-name resources + one reset: each resource has its own live client; a pre-existing "worker" is untouched by apply and destroy', async () => {
    const other = await fetch(`${h.sandbox.baseUrl}/__sandbox/state`).then((r) => r.json() as Promise<Record<string, unknown>>);
    const signicat = other.signicat as { clients: (VendorClient & Record<string, unknown>)[] };
    const seed = signicat.clients.find((c) => c.id === SEED_CLIENT_ID)!;
    const preexisting = { ...seed, id: 'another-team-worker-001', name: 'worker', secrets: [] };
    h.sandbox.restore({ signicat: { ...signicat, clients: [...signicat.clients, preexisting] } });

    const dir = plainStack(
      h,
      'same-name',
      clientsAndSecrets(3, () => 'worker'),
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    await fault({ vendor: 'signicat', status: 'reset', count: 1 });
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);

    const state = await expectVendorMatchesState(dir, [preexisting.id]);
    expect(state.clients).toHaveLength(3);
    expect(state.clients).not.toContain(preexisting.id);
    expect(h.sandbox.calls('signicat').filter((c) => c.status === 0)).toHaveLength(1);
    await expectSecretsWork(state);
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);

    expectExit(await h.tf(dir, 'destroy', '-auto-approve', '-input=false'), 0);
    expect(vendorClients().map((c) => c.id)).toEqual([preexisting.id]);
  });

  it('unnamed secrets + resets: every secret value in state works at the token endpoint', async () => {
    const dir = plainStack(h, 'unnamed', {
      apiaccess_signicat_api_client: { app: { name: 'app' } },
      apiaccess_signicat_client_secret: Object.fromEntries([0, 1, 2, 3].map((i) => [`s${i}`, { client_id: '${apiaccess_signicat_api_client.app.id}' }])),
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    await fault({ vendor: 'signicat', status: 'reset', count: 3 });
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    const state = await expectVendorMatchesState(dir);
    expect(state.secrets).toHaveLength(4);
    await expectSecretsWork(state);
  });

  it('resets and 503s at ratio 0.2: at most one extra apply converges, 0 duplicates, 0 orphans, values work', async () => {
    // A seeded random source: the faults fire on the same draws every run.
    await h.close();
    h = await startHarness('faults', { random: mulberry32(0x5eed) });
    const dir = plainStack(
      h,
      'ratio',
      clientsAndSecrets(5, (i) => `svc-${i}`),
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    await fault({ vendor: 'signicat', status: 'reset', ratio: 0.1 });
    await fault({ vendor: 'signicat', status: 503, ratio: 0.1 });
    const first = await h.tf(dir, 'apply', '-auto-approve', '-input=false');
    if (first.code !== 0) expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    const injected = h.sandbox.calls('signicat').filter((c) => c.status === 0 || c.status === 503).length;
    expect(injected).toBeGreaterThan(0);
    await clearFaults();
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
    const state = await expectVendorMatchesState(dir);
    expect(state.clients).toHaveLength(5);
    await expectSecretsWork(state);
  });

  it('provider SIGKILL mid-apply → the next apply adopts what the killed run made: 0 duplicates, 0 orphans', async () => {
    const dir = plainStack(
      h,
      'kill-provider',
      clientsAndSecrets(6, (i) => `job-${i}`),
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    // Two creates run at the vendor, but their answers are held: the provider dies with them in flight.
    const { code } = await killMidApply(dir, 'provider');
    expect(code).not.toBe(0);
    const stateBefore = await stateObjects(dir);
    // The held objects exist at the vendor, but terraform never heard of them.
    expect(vendorClients().length + vendorClients().flatMap((c) => c.secrets).length).toBeGreaterThanOrEqual(
      stateBefore.clients.length + stateBefore.secrets.length + 2,
    );

    const again = expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    expect(again.stdout).toContain('Apply complete');
    // The creates the killed provider had on the wire were sent again under their keys and adopted.
    expect(again.stdout + again.stderr).toContain('Interrupted Create Taken Over');
    const state = await expectVendorMatchesState(dir);
    expect(state.clients).toHaveLength(6);
    await expectSecretsWork(state);
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('terraform SIGKILL mid-apply → the provider exits within 2 s; the next apply adopts every object, though no state recorded them', async () => {
    const dir = plainStack(
      h,
      'kill-terraform',
      clientsAndSecrets(6, (i) => `batch-${i}`),
    );
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const { providers } = await killMidApply(dir, 'terraform');
    await until('the orphaned provider to exit', () => providers.every((pid) => !isProcessRunning(pid)), 2_000);
    const before = vendorClients().map((c) => c.id);
    expect(before.length).toBeGreaterThanOrEqual(2);

    const plan = await h.tf(dir, 'plan', '-input=false');
    expect(plan.stdout + plan.stderr).toContain('Interrupted Create Will Be Taken Over');
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    const state = await expectVendorMatchesState(dir);
    expect(state.clients).toHaveLength(6);
    // Every client the killed run made is one of the six in state: adopted, not duplicated.
    for (const id of before) expect(state.clients).toContain(id);
    await expectSecretsWork(state);
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
  });

  it('a completed create is never replayed: after an out-of-band delete the plan creates a new object, with no take-over', async () => {
    const dir = plainStack(h, 'no-replay', { apiaccess_signicat_api_client: { app: { name: 'no-replay' } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    const [first] = (await stateObjects(dir)).clients;
    const doc = h.sandbox.snapshot().signicat as { clients: VendorClient[] };
    h.sandbox.restore({ signicat: { ...doc, clients: doc.clients.filter((c) => c.id !== first) } });
    const plan = expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout + plan.stderr).not.toContain('Interrupted Create');
    const apply = expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    expect(apply.stdout + apply.stderr).not.toContain('Interrupted Create');
    const [second] = (await expectVendorMatchesState(dir)).clients;
    expect(second).not.toBe(first);
  });
});
