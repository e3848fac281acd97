#!/usr/bin/env node
/**
 * `npm run jsii [-- --out DIR]`: stages the construct library as a jsii package (see
 * `./jsii/stage.ts`), compiles it with jsii and generates the Python bindings' sources with
 * jsii-pacmak (`--code-only`). Prints where everything went; exits 1 with the tool's output when a
 * step fails. Without `--out` it stages into a fresh temporary folder.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runJsii, runPacmakPython, stageJsiiPackage } from './jsii/stage';

function main(): void {
  const at = process.argv.indexOf('--out');
  const dir = at >= 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]!) : mkdtempSync(join(tmpdir(), 'apiaccess-jsii-'));
  const closure = stageJsiiPackage(dir);
  process.stdout.write(`staged ${closure.files.length} files (imports: ${closure.packages.join(', ')}) in ${dir}\n`);
  for (const step of [runJsii, runPacmakPython]) {
    const run = step(dir);
    if (run.status !== 0) {
      process.stderr.write(`${run.command} failed (exit ${run.status}):\n${run.output}\n`);
      process.exit(1);
    }
    process.stdout.write(`${run.command}: ok\n`);
  }
  process.stdout.write(`assembly: ${join(dir, '.jsii')}\npython sources: ${join(dir, 'dist', 'python')}\n`);
}

main();
