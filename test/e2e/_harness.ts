/** Shared e2e helpers: a sandbox, a work dir, and terraform runs in a stack folder. */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runNode, runTerraform, terraformEnv, type TerraformRun } from '../../src/bin/terraform-cli';
import { ApiAccessProviderMirror } from '../../src/constructs/mirror';
import { Sandbox } from '../../src/sandbox/server';
import { vendorEmulators } from '../../src/vendors/registry';

export const ROOT = resolve(__dirname, '..', '..');

export type TerraformRunLike = TerraformRun;

export interface Harness {
  readonly sandbox: Sandbox;
  readonly work: string;
  env: NodeJS.ProcessEnv;
  tf(dir: string, ...args: string[]): Promise<TerraformRun>;
  close(): Promise<void>;
}

export async function startHarness(prefix: string, options: { readonly random?: () => number } = {}): Promise<Harness> {
  const sandbox = await Sandbox.start({ emulators: vendorEmulators(), ...options });
  const work = mkdtempSync(join(tmpdir(), `apiaccess-${prefix}-`));
  const h: Harness = {
    sandbox,
    work,
    env: terraformEnv(work, { APIACCESS_SANDBOX_URL: sandbox.baseUrl }),
    tf: (dir, ...args) => runTerraform(args, dir, h.env),
    close: async () => {
      await sandbox.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return h;
}

/** Synthesizes an example with the real cdktf CLI into `out`. */
export function cdktfSynth(example: string, out: string, env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  return runNode([join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], join(ROOT, 'examples', example), env);
}

/** A stack folder with a plain Terraform JSON config and the provider mirror, for small cases. */
export function plainStack(h: Harness, name: string, resources: Record<string, Record<string, unknown>>): string {
  const dir = join(h.work, name);
  mkdirSync(dir, { recursive: true });
  ApiAccessProviderMirror.write(dir);
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify(
      {
        terraform: { required_providers: { apiaccess: { source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' } } },
        provider: { apiaccess: {} },
        resource: resources,
      },
      null,
      2,
    ),
  );
  return dir;
}

/** Every file's text below `dir`, except files whose name `skip` matches. */
export function readTree(dir: string, skip: RegExp = /^$/): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    if (skip.test(name)) continue;
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? readTree(p, skip) : readFileSync(p, 'utf8');
  }
  return out;
}

/** Fails with the run's output when its exit code is not expected. */
export function expectExit(run: TerraformRun, code: number): TerraformRun {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  return run;
}

/**
 * A lifecycle of steps that build on each other (one stack, one sandbox): `step` records them,
 * `run` runs them in order inside one test, so every `it` of a suite still runs on its own. A
 * failing step says which it was.
 */
export function lifecycle(): { step: (name: string, fn: () => unknown) => void; run: () => Promise<void> } {
  const steps: [string, () => unknown][] = [];
  return {
    step: (name, fn) => void steps.push([name, fn]),
    run: async () => {
      for (const [name, fn] of steps) {
        try {
          await fn();
        } catch (err) {
          if (err instanceof Error) err.message = `step "${name}": ${err.message}`;
          throw err;
        }
      }
    },
  };
}
