#!/usr/bin/env node
/**
 * `npm run demo`: the main job on the embedded sandbox. Starts the vendor sandbox, synthesizes
 * examples/signicat with `cdktf synth`, then runs terraform init → apply → plan
 * -detailed-exitcode → destroy against it and prints what happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Sandbox } from '../sandbox/server';
import { vendorEmulators } from '../vendors/registry';
import { runNode, runTerraform, terraformEnv, type TerraformRun } from './terraform-cli';

const root = resolve(__dirname, '..', '..');
const say = (line = ''): boolean => process.stdout.write(`${line}\n`);

function check(run: TerraformRun, what: string, okCodes: readonly number[] = [0]): TerraformRun {
  if (!okCodes.includes(run.code)) {
    say(`✗ ${what} failed (exit ${run.code}):`);
    say((run.stderr || run.stdout).trim());
    throw new Error(`${what} failed`);
  }
  return run;
}

async function main(): Promise<void> {
  const sandbox = await Sandbox.start({ emulators: vendorEmulators() });
  const work = mkdtempSync(join(tmpdir(), 'apiaccess-demo-'));
  try {
    const env = terraformEnv(work, { APIACCESS_SANDBOX_URL: sandbox.baseUrl });
    const out = join(work, 'cdktf.out');
    const stack = join(out, 'stacks', 'signicat');
    say(`apiaccess demo — vendor sandbox at ${sandbox.baseUrl}`);

    const synth = check(
      await runNode([join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], join(root, 'examples', 'signicat'), env),
      'cdktf synth',
    );
    say(`✓ cdktf synth examples/signicat (${synth.ms} ms)`);
    const init = check(await runTerraform(['init', '-input=false'], stack, env), 'terraform init');
    say(`✓ terraform init: provider installed from the stack's local mirror (${init.ms} ms)`);

    const apply = check(await runTerraform(['apply', '-auto-approve', '-input=false'], stack, env), 'terraform apply');
    const created = [...apply.stdout.matchAll(/^(\S+): Creation complete after \S+ \[id=([^\]]+)\]/gm)].map((m) => `${m[1]} (${m[2]})`);
    say(`✓ terraform apply created ${created.length} resources (${apply.ms} ms):`);
    for (const c of created) say(`    + ${c}`);
    const outputs = JSON.parse(check(await runTerraform(['output', '-json'], stack, env), 'terraform output').stdout) as Record<string, { value: unknown }>;
    say(`  output client_ids = ${JSON.stringify(outputs.client_ids?.value)}`);

    const plan = check(await runTerraform(['plan', '-detailed-exitcode', '-input=false'], stack, env), 'terraform plan', [0, 2]);
    say(plan.code === 0 ? `✓ terraform plan -detailed-exitcode: 0, no drift (${plan.ms} ms)` : `! terraform plan -detailed-exitcode: 2, changes pending`);

    const destroy = check(await runTerraform(['destroy', '-auto-approve', '-input=false'], stack, env), 'terraform destroy');
    const destroyed = [...destroy.stdout.matchAll(/^(\S+): Destruction complete/gm)].map((m) => m[1]);
    say(`✓ terraform destroy removed ${destroyed.length} resources (${destroy.ms} ms)`);

    const clients = (sandbox.snapshot().signicat as { clients: { id: string }[] }).clients.map((c) => c.id);
    say(`✓ sandbox now holds only its seed: ${clients.join(', ')}`);
    if (plan.code !== 0 || created.length !== destroyed.length || clients.length !== 1) throw new Error('the demo did not end clean');
    say('demo finished: create, drift check and destroy all went through the apiaccess provider.');
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
