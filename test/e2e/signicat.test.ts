/**
 * Issue 2 acceptance: examples/signicat through `cdktf synth` and the real terraform binary,
 * against the embedded sandbox — apply, drift, re-apply, deletion behind Terraform's back,
 * import, destroy — and secret hygiene across cdktf.out, CLI output and TF_LOG=trace logs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTerraform } from '../../src/bin/terraform-cli';
import type { SignicatEmulator } from '../../src/vendors/signicat/emulator';
import { SEED_CLIENT_ID, SEED_CLIENT_SECRET } from '../../src/vendors/signicat/emulator/state';
import { cdktfSynth, expectExit, readTree, startHarness, type Harness, lifecycle } from './_harness';

jest.setTimeout(120_000);

interface ClientDoc {
  id: string;
  name: string;
  permissions: string[];
  secrets: { id: string }[];
}

describe('issue 2: Signicat API clients through cdktf + terraform + apiaccess provider', () => {
  let h: Harness;
  let out: string;
  let stack: string;
  const outputs: string[] = [];
  const emulator = (): SignicatEmulator => h.sandbox.emulator<SignicatEmulator>('signicat');
  const clients = (): ClientDoc[] => (h.sandbox.snapshot().signicat as { clients: ClientDoc[] }).clients;
  const putClients = (next: ClientDoc[]): void => {
    const doc = h.sandbox.snapshot().signicat as { clients: ClientDoc[] };
    h.sandbox.restore({ signicat: { ...doc, clients: next } });
  };
  const tf = async (...args: string[]) => {
    const run = await h.tf(stack, ...args);
    // `show -json` prints state, secrets included, by design; every other command's output is checked.
    if (args[0] !== 'show') outputs.push(run.stdout, run.stderr);
    return run;
  };

  beforeAll(async () => {
    h = await startHarness('e2e');
    out = join(h.work, 'cdktf.out');
    stack = join(out, 'stacks', 'signicat');
    expectExit(await cdktfSynth('signicat', out, h.env), 0);
    expectExit(await tf('init', '-input=false'), 0);
  });

  afterAll(async () => {
    await h?.close();
  });

  // The steps build on each other (one stack, one sandbox), so they run as one test: each `it` of
  // this suite must run on its own. A failing step says which it was.
  const { step, run } = lifecycle();

  step('synthesizes a stack that names our provider and carries its own mirror, with no secret in it', () => {
    const json = JSON.parse(readFileSync(join(stack, 'cdk.tf.json'), 'utf8'));
    expect(json.terraform.required_providers.apiaccess).toEqual({ source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' });
    expect(Object.keys(json.resource.apiaccess_signicat_api_client).sort()).toEqual(['backend-service', 'reports']);
    // The provider program in the mirror (terraform.d) carries the sandbox's public seed values; the configuration must not.
    expect(readTree(out, /^(\.terraform|terraform\.d)$/)).not.toContain(SEED_CLIENT_SECRET);
    expect(readFileSync(join(stack, '.terraform.lock.hcl'), 'utf8')).toContain('apiaccess.local/apiaccess/apiaccess');
  });

  step('applies: two clients with permissions and one secret each exist at the vendor', async () => {
    const apply = expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(apply.stdout).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed.');
    const managed = clients().filter((c) => c.id !== SEED_CLIENT_ID);
    expect(managed.map((c) => [c.name, c.permissions, c.secrets.length]).sort()).toEqual([
      ['backend-service', ['authentication:read', 'sessions:write'], 1],
      ['reporting-job', ['document-storage:read'], 1],
    ]);
    const outputsJson = JSON.parse(expectExit(await tf('output', '-json'), 0).stdout);
    expect(Object.values(outputsJson.client_ids.value).sort()).toEqual(managed.map((c) => c.id).sort());
  });

  step('plans no change right after apply (exit 0)', async () => {
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('shows a change made outside Terraform as a diff naming the changed attributes (exit 2), and apply repairs it', async () => {
    putClients(clients().map((c) => (c.name === 'backend-service' ? { ...c, name: 'renamed-in-console', permissions: ['authentication:read'] } : c)));
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toMatch(/~ name\s+= "renamed-in-console" -> "backend-service"/);
    expect(plan.stdout).toMatch(/~ permissions\s+= \[\s+\+ "sessions:write",/);
    expect(plan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expect(clients().find((c) => c.name === 'backend-service')?.permissions).toEqual(['authentication:read', 'sessions:write']);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('drops a client deleted behind its back from state and plans to create it again', async () => {
    putClients(clients().filter((c) => c.name !== 'reporting-job'));
    const plan = expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('# apiaccess_signicat_api_client.reports will be created');
    expect(plan.stdout).toContain('# apiaccess_signicat_client_secret.reports-secret will be created');
    expect(plan.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expectExit(await tf('apply', '-auto-approve', '-input=false'), 0);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('imports a client made directly at the vendor; with matching config the plan is empty', async () => {
    const before = new Set(clients().map((c) => c.id));
    // Create it the way a console user would: straight at the vendor API, with the managing client.
    const token = (await (
      await fetch(`${h.sandbox.baseUrl}/signicat/auth/open/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'signicat-api', client_id: SEED_CLIENT_ID, client_secret: SEED_CLIENT_SECRET }),
      })
    ).json()) as { access_token: string };
    const account = (h.sandbox.snapshot().signicat as { accountId: string }).accountId;
    const res = await fetch(`${h.sandbox.baseUrl}/signicat/management/api-clients?signicat-accountId=${account}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made-in-console', accessTokenLifetime: 1200 }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    expect(before.has(id)).toBe(false);

    writeFileSync(
      join(stack, 'imported.tf.json'),
      JSON.stringify({ resource: { apiaccess_signicat_api_client: { imported: { name: 'made-in-console', access_token_lifetime: 1200 } } } }),
    );
    const imp = expectExit(await tf('import', '-input=false', 'apiaccess_signicat_api_client.imported', id), 0);
    expect(imp.stdout).toContain('Import successful!');
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
  });

  step('imports a secret by client/secret ID with an empty value, and keeps the value of created secrets in state as sensitive', async () => {
    const state = JSON.parse(expectExit(await tf('show', '-json'), 0).stdout);
    const secrets = state.values.root_module.resources.filter((r: { type: string }) => r.type === 'apiaccess_signicat_client_secret');
    expect(secrets).toHaveLength(2);
    for (const s of secrets) {
      expect(s.values.value).toMatch(/^[A-Za-z0-9]{48}$/);
      expect(emulator().issued).toContain(s.values.value);
      expect(s.sensitive_values.value).toBe(true);
    }
    const raw = JSON.parse(readFileSync(join(stack, 'terraform.tfstate'), 'utf8'));
    const inState = raw.resources.find((r: { type: string }) => r.type === 'apiaccess_signicat_client_secret');
    expect(inState.instances[0].sensitive_attributes).toEqual(expect.arrayContaining([expect.arrayContaining([{ type: 'get_attr', value: 'value' }])]));

    // a second secret made at the vendor, imported by address
    const target = clients().find((c) => c.name === 'made-in-console')!;
    const before = new Set(target.secrets.map((s) => s.id));
    const doc = h.sandbox.snapshot().signicat as {
      clients: (ClientDoc & { secrets: { id: string; name: string | null; createdAt: string; sha256: string }[] })[];
    };
    const c = doc.clients.find((x) => x.id === target.id)!;
    c.secrets.push({ id: 'console0secret0000000000000000001', name: 'console', createdAt: new Date().toISOString(), sha256: '0'.repeat(64) });
    h.sandbox.restore({ signicat: doc });
    expect(before.has('console0secret0000000000000000001')).toBe(false);
    const cfg = JSON.parse(readFileSync(join(stack, 'imported.tf.json'), 'utf8'));
    cfg.resource.apiaccess_signicat_client_secret = { imported: { client_id: target.id, name: 'console' } };
    writeFileSync(join(stack, 'imported.tf.json'), JSON.stringify(cfg));
    expectExit(await tf('import', '-input=false', 'apiaccess_signicat_client_secret.imported', `${target.id}/console0secret0000000000000000001`), 0);
    expectExit(await tf('plan', '-detailed-exitcode', '-input=false'), 0);
    const after = JSON.parse(expectExit(await tf('show', '-json'), 0).stdout);
    const imported = after.values.root_module.resources.find((r: { address: string }) => r.address === 'apiaccess_signicat_client_secret.imported');
    expect(imported.values.value).toBeNull();
    expect(imported.values.secret_id).toBe('console0secret0000000000000000001');
  });

  step('never shows an issued secret in cdktf.out, plan/apply output or provider logs at TF_LOG=trace', async () => {
    const log = join(h.work, 'trace.log');
    const traced = { ...h.env, TF_LOG: 'trace', TF_LOG_PATH: log };
    const run = await runTerraform(['plan', '-input=false', '-refresh=true'], stack, traced);
    expectExit(run, 0);
    const trace = readFileSync(log, 'utf8');
    expect(trace).toContain('provider.terraform-provider-apiaccess');
    const issued = [...emulator().issued, SEED_CLIENT_SECRET];
    expect(issued.length).toBeGreaterThanOrEqual(4);
    // cdktf.out as synthesized (Terraform's own state files, which must hold the values, aside),
    // and a fresh synth made now that the secrets exist.
    const resynth = join(h.work, 'cdktf.out.2');
    expectExit(await cdktfSynth('signicat', resynth, h.env), 0);
    // The configuration and lock file, not the provider program the mirror carries (terraform.d, linked from .terraform).
    const synthesized = readTree(out, /^(terraform\.tfstate.*|\.terraform|terraform\.d)$/) + readTree(resynth, /^(\.terraform|terraform\.d)$/);
    const stateText = readFileSync(join(stack, 'terraform.tfstate'), 'utf8');
    // Booleans only: a failing matcher would print the secret.
    expect(emulator().issued.filter((v) => /^[A-Za-z0-9]{48}$/.test(v) && stateText.includes(v)).length).toBe(2);
    const haystacks = { synthesized, cli: outputs.join('\n') + run.stdout + run.stderr, trace };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of issued) {
        if (text.includes(secret))
          throw new Error(`an issued secret leaked into ${where}, after: ${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret))}`);
      }
    }
  });

  step('destroys everything it manages; the sandbox holds only its seed', async () => {
    const destroy = expectExit(await tf('destroy', '-auto-approve', '-input=false'), 0);
    expect(destroy.stdout).toContain('Destroy complete! Resources: 6 destroyed.');
    expect(clients().map((c) => c.id)).toEqual([SEED_CLIENT_ID]);
    expect(clients()[0]!.secrets.map((s) => s.id)).toEqual(['seed-secret']);
  });

  it('the whole lifecycle: synth → apply → plan 0 → drift → repair → out-of-band delete → import → secret hygiene → destroy', async () => {
    await run();
  }, 300_000);
});
