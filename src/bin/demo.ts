#!/usr/bin/env node
/**
 * `npm run demo`: the main job on the embedded sandbox. Starts the vendor sandbox, then for every
 * example app under examples/ (one per vendor): `cdktf synth`, and in each synthesized stack
 * terraform init → apply → plan -detailed-exitcode → destroy, printing what happened per vendor.
 * `npm run demo -- --keep` leaves the stack folders (and the sandbox's final state) in place and
 * prints where they are.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Sandbox } from '../sandbox/server';
import { vendorEmulators } from '../vendors/registry';
import { runNode, runTerraform, terraformEnv, type TerraformRun } from './terraform-cli';

const root = resolve(__dirname, '..', '..');
const say = (line = ''): boolean => process.stdout.write(`${line}\n`);

function check(run: TerraformRun, what: string, okCodes: readonly number[] = [0]): TerraformRun {
  if (!okCodes.includes(run.code)) {
    say(`  ✗ ${what} failed (exit ${run.code}):`);
    say((run.stderr || run.stdout).trim().replace(/^/gm, '    '));
    throw new Error(`${what} failed`);
  }
  return run;
}

/** The example apps: every folder of examples/ with a cdktf.json. */
function examples(): string[] {
  const dir = join(root, 'examples');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'cdktf.json')))
    .map((e) => e.name)
    .sort();
}

/** Outputs as one line each, sensitive ones masked (as `terraform output` shows them). */
function outputLines(stack: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  return runTerraform(['output', '-json'], stack, env).then((run) => {
    const outputs = JSON.parse(check(run, 'terraform output').stdout || '{}') as Record<string, { value: unknown; sensitive: boolean }>;
    return Object.entries(outputs).map(([name, o]) => `${name} = ${o.sensitive ? '(sensitive)' : JSON.stringify(o.value)}`);
  });
}

interface Outcome {
  readonly example: string;
  readonly created: number;
  readonly destroyed: number;
  readonly planClean: boolean;
}

async function runExample(example: string, work: string, env: NodeJS.ProcessEnv): Promise<Outcome[]> {
  const out = join(work, example, 'cdktf.out');
  mkdirSync(join(work, example), { recursive: true });
  say(`\n▶ ${example} (examples/${example})`);
  const synth = check(
    await runNode([join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], join(root, 'examples', example), env),
    'cdktf synth',
  );
  const stacks = readdirSync(join(out, 'stacks')).sort();
  say(`  ✓ cdktf synth: ${stacks.length} stack(s) (${synth.ms} ms)`);
  const outcomes: Outcome[] = [];
  for (const name of stacks) {
    const stack = join(out, 'stacks', name);
    check(await runTerraform(['init', '-input=false'], stack, env), 'terraform init');
    const apply = check(await runTerraform(['apply', '-auto-approve', '-input=false'], stack, env), 'terraform apply');
    const created = [...apply.stdout.matchAll(/^(\S+): Creation complete after \S+(?: \[id=([^\]]+)\])?/gm)].map((m) => `${m[1]}${m[2] ? ` (${m[2]})` : ''}`);
    say(`  ✓ stack ${name}: terraform apply created ${created.length} resource(s) (${apply.ms} ms)`);
    for (const c of created) say(`      + ${c}`);
    for (const line of await outputLines(stack, env)) say(`      output ${line}`);
    const plan = check(await runTerraform(['plan', '-detailed-exitcode', '-input=false'], stack, env), 'terraform plan', [0, 2]);
    // A stack of data sources (a quota) reads new values each plan: changed outputs alone are not drift.
    const outputsOnly = plan.code === 2 && !/^Plan: /m.test(plan.stdout) && /Changes to Outputs/.test(plan.stdout);
    say(
      plan.code === 0
        ? `  ✓ terraform plan -detailed-exitcode: 0, no drift (${plan.ms} ms)`
        : outputsOnly
          ? `  ✓ terraform plan: no resource changes; only outputs read from data sources moved (${plan.ms} ms)`
          : `  ! terraform plan -detailed-exitcode: 2, changes pending`,
    );
    const destroy = check(await runTerraform(['destroy', '-auto-approve', '-input=false'], stack, env), 'terraform destroy');
    const destroyed = [...destroy.stdout.matchAll(/^(\S+): Destruction complete/gm)].length;
    say(`  ✓ terraform destroy removed ${destroyed} resource(s) (${destroy.ms} ms)`);
    outcomes.push({ example: `${example}/${name}`, created: created.length, destroyed, planClean: plan.code === 0 || outputsOnly });
  }
  return outcomes;
}

async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const sandbox = await Sandbox.start({ emulators: vendorEmulators() });
  const work = mkdtempSync(join(tmpdir(), 'apiaccess-demo-'));
  let ok = false;
  try {
    const env = terraformEnv(work, { APIACCESS_SANDBOX_URL: sandbox.baseUrl, APIACCESS_BUDGET_DIR: join(work, 'budgets') });
    const names = examples();
    say(`apiaccess demo — vendor sandbox at ${sandbox.baseUrl}; examples: ${names.join(', ')}`);
    const outcomes: Outcome[] = [];
    for (const example of names) outcomes.push(...(await runExample(example, work, env)));

    say('\nsummary');
    for (const o of outcomes) {
      const fine = o.planClean && o.created === o.destroyed;
      say(`  ${fine ? '✓' : '✗'} ${o.example}: ${o.created} created, plan ${o.planClean ? 'clean' : 'NOT clean'}, ${o.destroyed} destroyed`);
    }
    if (outcomes.some((o) => !o.planClean || o.created !== o.destroyed)) throw new Error('the demo did not end clean');
    ok = true;
    say('demo finished: every vendor went through create, drift check and destroy in the apiaccess provider.');
  } finally {
    if (keep) {
      writeFileSync(join(work, 'sandbox-state.json'), JSON.stringify(sandbox.snapshot(), null, 2));
      say(`\nkept: stack folders under ${work}/<example>/cdktf.out/stacks, the sandbox's final state in ${work}/sandbox-state.json`);
    }
    await sandbox.close();
    if (!keep) rmSync(work, { recursive: true, force: true });
    if (!ok) process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
