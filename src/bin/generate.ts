#!/usr/bin/env node
/**
 * `npm run generate` (also `npm run docs`): writes every file derived from the specs — the
 * constructs, the provider construct's settings props, the registry docs and API.md.
 * `--check` writes nothing and exits 1 listing the files that are stale (run in `npm test`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { outputs } from './codegen/outputs';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [path, text] of await outputs(root)) {
    const file = join(root, path);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale.push(path);
    if (!check) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  if (check && stale.length > 0) {
    process.stderr.write(`These generated files are stale; run "npm run generate" and commit them:\n${stale.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(check ? 'generated files are up to date\n' : stale.length > 0 ? `wrote ${stale.join(', ')}\n` : 'nothing to write\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
