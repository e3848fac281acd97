#!/usr/bin/env node
/**
 * The repository's own cdktf app (root `cdktf.json`): one stack per example folder that exists,
 * found by discovery (every `examples/<name>/cdktf.json`), so `npx cdktf synth` and
 * `npx cdktf deploy '*'` work from the repository root. Each example's app runs as it would in
 * its own folder (its `cdktf.json` "app" command, after `npm run build`), synthesizing into a
 * scratch folder inside the output; its stack folders are then copied over `<outdir>/stacks/<name>/`
 * (local state and `.terraform` there survive a re-synth, as with cdktf's own synth) and the
 * manifests merge into one. The provider mirror is the same bytes at every path, so it can move.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Manifest {
  version: string;
  stacks: Record<string, { workingDirectory: string } & Record<string, unknown>>;
}

const root = resolve(__dirname, '..', '..');

/** Example folders with a cdktf.json, in name order. */
export function exampleApps(examplesDir: string = join(root, 'examples')): string[] {
  return readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(examplesDir, d.name, 'cdktf.json')))
    .map((d) => join(examplesDir, d.name))
    .sort();
}

export function synthAll(outdir: string, examples: readonly string[] = exampleApps()): Manifest {
  const scratch = join(outdir, '.examples');
  rmSync(scratch, { recursive: true, force: true });
  const merged: Manifest = { version: '', stacks: {} };
  const owner = new Map<string, string>();
  for (const dir of examples) {
    const { app } = JSON.parse(readFileSync(join(dir, 'cdktf.json'), 'utf8')) as { app: string };
    const out = join(scratch, dir.split('/').pop()!);
    mkdirSync(out, { recursive: true });
    const run = spawnSync(app, { cwd: dir, shell: true, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CDKTF_OUTDIR: out } });
    if (run.status !== 0) throw new Error(`apiaccess root app: the example app in ${dir} ("${app}") failed with exit ${run.status ?? run.signal}`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    merged.version = manifest.version;
    for (const [name, stack] of Object.entries(manifest.stacks)) {
      if (owner.has(name)) throw new Error(`apiaccess root app: stack "${name}" is defined by both ${owner.get(name)} and ${dir}; stack names must be unique`);
      owner.set(name, dir);
      // Copied over, never replaced: the stack folder keeps its local state and .terraform between syntheses.
      cpSync(join(out, stack.workingDirectory), join(outdir, 'stacks', name), { recursive: true, force: true });
      merged.stacks[name] = stack;
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(merged, null, 2));
  return merged;
}

if (require.main === module) {
  synthAll(resolve(process.env.CDKTF_OUTDIR ?? 'cdktf.out'));
}
