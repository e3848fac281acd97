/**
 * Issue 12 (start-up): the V8 code cache the provider's entry point uses. Each start runs in its
 * own node process (as the provider does), through the built module in lib/.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CACHES_KEPT, CODE_CACHE_ENV, codeCacheDir, runWithCodeCache } from '../../src/core/code-cache';

const ROOT = resolve(__dirname, '..', '..');
const MODULE = join(ROOT, 'lib', 'core', 'code-cache.js');

let work: string;
let script: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'apiaccess-code-cache-'));
  script = join(work, 'program.js');
  // A shebang, module/exports/require/__filename/__dirname, and some functions worth caching.
  const body = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`).join('\n');
  writeFileSync(
    script,
    `#!/usr/bin/env node\n'use strict';\n${body}\nmodule.exports.sum = f199(1);\n` +
      `process.stdout.write(JSON.stringify({ sum: module.exports.sum, file: __filename, dir: __dirname, sep: require('node:path').sep }) + '\\n');\n`,
  );
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** One start: runs the script through runWithCodeCache, writes the cache at once, prints what happened. */
function start(
  cacheDir: string | undefined,
  nodeFlags: string[] = [],
): { program: Record<string, unknown>; run: { cacheFile?: string; used: boolean; wrote: boolean } } {
  const code =
    `const r = require(${JSON.stringify(MODULE)}).runWithCodeCache(${JSON.stringify(script)}, ${JSON.stringify(cacheDir ?? null) ?? 'undefined'} ?? undefined);` +
    `process.stdout.write(JSON.stringify({ cacheFile: r.cacheFile, used: r.used, wrote: r.flush() }) + '\\n');`;
  const res = spawnSync(process.execPath, [...nodeFlags, '-e', code], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  const [program, run] = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { program: program!, run: run as { cacheFile?: string; used: boolean; wrote: boolean } };
}

const PROGRAM = (): Record<string, unknown> => ({ sum: 398, file: script, dir: work, sep: '/' });

describe('issue 12: the V8 code cache of the provider entry point', () => {
  it('the first start writes a cache (private file), the next one uses it, and both run the program the same', () => {
    const dir = join(work, 'cache');
    const first = start(dir);
    expect(first.program).toEqual(PROGRAM());
    expect(first.run).toEqual({ cacheFile: expect.stringMatching(/^.*\/program\.js-[0-9a-f]{32}-v\d+\.\d+\.\d+-\w+\.v8$/), used: false, wrote: true });
    expect(readdirSync(dir)).toEqual([first.run.cacheFile!.split('/').pop()]);
    const second = start(dir);
    expect(second.program).toEqual(PROGRAM());
    expect(second.run).toEqual({ cacheFile: first.run.cacheFile, used: true, wrote: false });
  });

  it('a changed program gets its own cache file (the key is its content)', () => {
    const dir = join(work, 'cache');
    const first = start(dir);
    writeFileSync(script, readFileSync(script, 'utf8').replace('f199(1)', 'f198(1)'));
    const second = start(dir);
    expect(second.program).toEqual({ ...PROGRAM(), sum: 396 });
    expect(second.run.used).toBe(false);
    expect(second.run.cacheFile).not.toBe(first.run.cacheFile);
  });

  it('starts with other node flags keep their own cache (V8 refuses code compiled under other flags)', () => {
    const dir = join(work, 'cache');
    const plain = start(dir).run.cacheFile;
    const flagged = start(dir, ['--max-lazy']);
    expect(flagged.program).toEqual(PROGRAM());
    expect(flagged.run.cacheFile).not.toBe(plain);
    expect(start(dir, ['--max-lazy']).run.used).toBe(true);
    expect(start(dir).run.used).toBe(true);
  });

  it(`keeps the ${CACHES_KEPT} newest caches of a program (other builds pile up otherwise), and leaves other files alone`, () => {
    const dir = join(work, 'cache');
    mkdirSync(dir, { mode: 0o700 });
    const old = Array.from({ length: CACHES_KEPT + 2 }, (_, i) => join(dir, `program.js-old${i}-v0-x.v8`));
    old.forEach((f, i) => {
      writeFileSync(f, 'x');
      utimesSync(f, new Date(1000 * i), new Date(1000 * i));
    });
    writeFileSync(join(dir, 'other.js-a-v0-x.v8'), 'x');
    const { cacheFile } = start(dir).run;
    expect(readdirSync(dir).sort()).toEqual(
      [cacheFile!.split('/').pop(), 'other.js-a-v0-x.v8', ...old.slice(-(CACHES_KEPT - 1)).map((f) => f.split('/').pop())].sort(),
    );
  });

  it('removes temporary files a crashed write left (older than 10 minutes), not one another start is writing', () => {
    const dir = join(work, 'cache');
    mkdirSync(dir, { mode: 0o700 });
    const crashed = join(dir, 'program.js-old-v0-x.v8.4242.tmp');
    const writing = join(dir, 'program.js-new-v0-x.v8.4343.tmp');
    for (const f of [crashed, writing]) writeFileSync(f, 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(crashed, hourAgo, hourAgo);
    const { cacheFile } = start(dir).run;
    expect(readdirSync(dir).sort()).toEqual([cacheFile!.split('/').pop(), 'program.js-new-v0-x.v8.4343.tmp'].sort());
  });

  it.each([
    [
      'a flipped byte in the compiled code',
      (b: Buffer) => Buffer.concat([b.subarray(0, b.length - 10), Buffer.from([b[b.length - 10]! ^ 0xff]), b.subarray(b.length - 9)]),
    ],
    ['a truncated file', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
    ['garbage', () => Buffer.from('not a cache at all')],
    ['an empty file', () => Buffer.alloc(0)],
  ])('a corrupt cache (%s) is not used: the program runs and a good cache replaces it', (_what, corrupt) => {
    const dir = join(work, 'cache');
    const { cacheFile } = start(dir).run;
    writeFileSync(cacheFile!, corrupt(readFileSync(cacheFile!)));
    const again = start(dir);
    expect(again.program).toEqual(PROGRAM());
    expect(again.run).toEqual({ cacheFile, used: false, wrote: true });
    expect(start(dir).run.used).toBe(true);
  });

  it('a cache V8 rejects (intact frame and checksum, code of a program of another length) is not used, and is replaced', () => {
    const dir = join(work, 'cache');
    const { cacheFile } = start(dir).run;
    const original = readFileSync(script, 'utf8');
    writeFileSync(script, original.replace('f199(1)', 'f19(1) + 1'));
    const foreign = start(join(work, 'foreign')).run.cacheFile!;
    writeFileSync(script, original);
    writeFileSync(cacheFile!, readFileSync(foreign));
    const again = start(dir);
    expect(again.program).toEqual(PROGRAM());
    expect(again.run).toEqual({ cacheFile, used: false, wrote: true });
  });

  it('a cache folder that cannot be made, or that others can write to, means no cache and a normal start', () => {
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, 'x');
    expect(start(join(blocker, 'cache'))).toEqual({ program: PROGRAM(), run: { used: false, wrote: false } });
    const open = join(work, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(start(open)).toEqual({ program: PROGRAM(), run: { used: false, wrote: false } });
    expect(readdirSync(open)).toEqual([]);
    expect(start(undefined)).toEqual({ program: PROGRAM(), run: { used: false, wrote: false } });
  });

  it('a folder that goes away before the cache is written only means no cache', () => {
    const dir = join(work, 'cache');
    const code =
      `const r = require(${JSON.stringify(MODULE)}).runWithCodeCache(${JSON.stringify(script)}, ${JSON.stringify(dir)});` +
      `require('node:fs').rmSync(${JSON.stringify(dir)}, { recursive: true });` +
      `process.stdout.write(JSON.stringify({ wrote: r.flush() }) + '\\n');`;
    const res = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([PROGRAM(), { wrote: false }]);
  });

  it('in this process too: runs the program with require, module and __dirname, and writes the cache once when flushed', () => {
    const program = join(work, 'in-process.js');
    // The program runs in Node's main context (not jest's): it reports through a file.
    writeFileSync(program, `#!/usr/bin/env node\nrequire('node:fs').appendFileSync(require('node:path').join(__dirname, 'ran'), module.id + '\\n');\n`);
    const run = runWithCodeCache(program, join(work, 'cache'));
    expect(readFileSync(join(work, 'ran'), 'utf8')).toBe(`${program}\n`);
    expect(run.used).toBe(false);
    expect(run.flush()).toBe(true);
    expect(run.flush()).toBe(false);
    expect(readdirSync(join(work, 'cache'))).toEqual([run.cacheFile!.split('/').pop()]);
    expect(runWithCodeCache(program, undefined).cacheFile).toBeUndefined();
    expect(readFileSync(join(work, 'ran'), 'utf8')).toBe(`${program}\n${program}\n`);
  });

  it(`the folder: ${CODE_CACHE_ENV}, else XDG_CACHE_HOME, else ~/.cache; "off" or no absolute path means none`, () => {
    expect(codeCacheDir({ [CODE_CACHE_ENV]: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/c');
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/apiaccess');
    expect(codeCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/apiaccess');
    expect(codeCacheDir({ [CODE_CACHE_ENV]: 'relative', HOME: '/h' })).toBe('/h/.cache/apiaccess');
    expect(codeCacheDir({ [CODE_CACHE_ENV]: 'off', HOME: '/h' })).toBeUndefined();
    expect(codeCacheDir({})).toBeUndefined();
  });
});
