/**
 * Running the real `terraform` binary for the demo, the e2e tests and the benchmarks: an
 * isolated CLI configuration (no provider_installation block, so the stack's implied local
 * mirror is used), no checkpoint calls, and the sandbox URL in the environment.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Environment for terraform runs: isolated CLI config under `workDir`, sandbox URL, no color. */
export function terraformEnv(workDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  mkdirSync(workDir, { recursive: true });
  const cliConfig = join(workDir, 'terraformrc');
  writeFileSync(cliConfig, '# apiaccess: empty CLI configuration, so implied local mirrors are used\n');
  // cdktf deploy/diff otherwise install providers through a plugin cache shared by the whole machine
  // (~/.terraform.d/plugin-cache): another checkout's build of the same provider version there does
  // not match this stack's lock file.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
  };
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.TF_LOG;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `terraform <args>` in `cwd`. Never throws on a non-zero exit. */
export function runTerraform(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  // -no-color goes right after the (sub)command words, before any positional argument.
  const words = args[0] === 'state' || args[0] === 'providers' ? 2 : 1;
  const command = args.length > 0 ? args.slice(0, words) : ['version'];
  // Run in the stack folder itself (not -chdir): Terraform resolves implied local mirrors
  // (terraform.d/plugins) against the process's working directory.
  return run('terraform', [...command, '-no-color', ...args.slice(words)], cwd, env);
}

/** Runs a node script (the example's cdktf app or the cdktf CLI). */
export function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  return run(process.execPath, args, cwd, env);
}

/** Runs npm (the package tests pack the repository and install the tarball in a fresh app). */
export function runNpm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  return run('npm', args, cwd, env);
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}
