#!/usr/bin/env node
/**
 * `apiaccess drift [stack dir …] [--json out.json] [--junit out.xml]`: a drift report for
 * pipelines. Plans every synthesized stack (default: each `cdktf.out/stacks/*` below the current
 * folder) with refresh on, prints a progress line per stack and one line per drifted credential,
 * writes the JSON / JUnit reports, and exits 2 on drift, 0 on none, 1 on error.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe } from './drift/analyze';
import { exitCode, jsonReport, junitReport, type StackResult } from './drift/report';
import { driftOfStack } from './drift/run';

const USAGE = 'usage: apiaccess drift [stack dir ...] [--json <file>] [--junit <file>]';

interface Args {
  readonly dirs: string[];
  json?: string;
  junit?: string;
}

function parse(argv: readonly string[]): Args | string {
  const args: Args = { dirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json' || a === '--junit') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `${a} needs a file path`;
      args[a === '--json' ? 'json' : 'junit'] = v;
    } else if (a.startsWith('--')) return `unknown option ${a}`;
    else args.dirs.push(a);
  }
  return args;
}

function defaultStacks(cwd: string): string[] {
  const root = join(cwd, 'cdktf.out', 'stacks');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isDirectory())
    .sort();
}

export async function main(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  if (argv[0] !== 'drift') {
    out(USAGE);
    return 1;
  }
  const args = parse(argv.slice(1));
  if (typeof args === 'string') {
    out(`apiaccess drift: ${args}\n${USAGE}`);
    return 1;
  }
  const dirs = args.dirs.length > 0 ? args.dirs.map((d) => resolve(d)) : defaultStacks(process.cwd());
  if (dirs.length === 0) {
    out('apiaccess drift: no stacks (no cdktf.out/stacks/* here; run cdktf synth first or name the stack folders)');
    return 1;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1' };
  const results: StackResult[] = [];
  for (const [i, dir] of dirs.entries()) {
    const r = existsSync(dir) ? await driftOfStack(dir, env) : { stack: dir, dir, resources: [], drift: [], error: 'no such folder', ms: 0 };
    results.push(r);
    const verdict = r.error !== undefined ? `error: ${r.error}` : r.drift.length > 0 ? `${r.drift.length} drifted` : 'in sync';
    out(`[${i + 1}/${dirs.length}] ${r.stack}: ${r.resources.length} credentials, ${verdict} (${(r.ms / 1000).toFixed(1)} s)`);
    for (const d of r.drift) out(`  DRIFT ${describe(d)}`);
  }
  if (args.json) writeFileSync(args.json, jsonReport(results, new Date().toISOString()));
  if (args.junit) writeFileSync(args.junit, junitReport(results));
  const code = exitCode(results);
  out(code === 0 ? 'apiaccess drift: no drift' : code === 2 ? `apiaccess drift: ${results.flatMap((r) => r.drift).length} drifted` : 'apiaccess drift: failed');
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`apiaccess drift: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
