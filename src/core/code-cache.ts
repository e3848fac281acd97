/**
 * Runs a CommonJS file through V8's code cache: the compiled code of a previous start, stored in a
 * per-user cache folder outside the provider mirror, lets V8 skip parsing and compiling the bundle.
 * The mirror itself stays the same bytes everywhere; the cache is keyed by the file's sha256, the
 * Node.js version, the architecture and the node flags. Anything wrong with the cache (absent, unreadable,
 * corrupt, rejected by V8, a folder others can write to, nowhere to write) only means a start
 * without it: the file always runs.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** Environment variable: `off` turns the code cache off, an absolute path puts it there. */
export const CODE_CACHE_ENV = 'APIACCESS_CODE_CACHE';
/** The cache is written this long after the start (or at exit, if sooner), with the code compiled by then. */
const CACHE_WRITE_AFTER_MS = 1000;

const MAGIC = Buffer.from('apiaccess-v8-code-cache-1\n');
const DIGEST_BYTES = 32;

/** The cache folder: `$APIACCESS_CODE_CACHE`, else `$XDG_CACHE_HOME/apiaccess`, else `~/.cache/apiaccess`; undefined for none. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const wanted = env[CODE_CACHE_ENV];
  if (wanted === 'off') return undefined;
  if (wanted && isAbsolute(wanted)) return wanted;
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'apiaccess');
  if (env.HOME && isAbsolute(env.HOME)) return join(env.HOME, '.cache', 'apiaccess');
  return undefined;
}

/** The folder exists (made if need be), is a real directory, ours, and nobody else can write to it. */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** The cache file's payload when its frame and checksum are intact. */
function readCache(file: string): Buffer | undefined {
  try {
    const raw = readFileSync(file);
    const head = MAGIC.length + DIGEST_BYTES;
    if (raw.length <= head || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const data = raw.subarray(head);
    return sha256(data).equals(raw.subarray(MAGIC.length, head)) ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache file atomically (a private temporary file, then a rename); false when that failed. */
function writeCache(file: string, data: Buffer, program: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, Buffer.concat([MAGIC, sha256(data), data]));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
  pruneCaches(file, program);
  return true;
}

/** How many caches of one program (other builds, Node.js versions, flags) a folder keeps. */
export const CACHES_KEPT = 4;

/** A temporary cache file this old is left from a write that never finished (a crash), not one under way. */
const STALE_TMP_MS = 10 * 60_000;

/**
 * Removes the oldest caches of the same program (file name) beyond {@link CACHES_KEPT}, so builds
 * do not pile up, and the program's temporary files that a crashed write left behind.
 */
function pruneCaches(file: string, program: string): void {
  try {
    const dir = dirname(file);
    const prefix = `${program}-`;
    const names = readdirSync(dir).filter((n) => n.startsWith(prefix));
    for (const n of names.filter((n) => n.endsWith('.tmp'))) {
      const path = join(dir, n);
      if (Date.now() - statSync(path).mtimeMs > STALE_TMP_MS) rmSync(path, { force: true });
    }
    const caches = names
      .filter((n) => n.endsWith('.v8'))
      .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || (a.path === file ? -1 : b.path === file ? 1 : 0));
    for (const old of caches.slice(CACHES_KEPT)) if (old.path !== file) rmSync(old.path, { force: true });
  } catch {
    // another start pruned it first
  }
}

/**
 * The file's sha256 with the node flags in effect: V8 refuses code compiled under other flags, so
 * starts with other flags (`node --…`, NODE_OPTIONS) keep their own cache instead of taking turns
 * overwriting one.
 */
function cacheKey(bytes: Buffer): string {
  const flags = `${process.execArgv.join(' ')}\n${process.env.NODE_OPTIONS ?? ''}`;
  return createHash('sha256').update(bytes).update(`\n${flags}`).digest('hex').slice(0, 32);
}

/** What {@link runWithCodeCache} did, for tests and the benchmark. */
export interface CodeCacheRun {
  /** The cache file used or to be written; undefined when there is no usable cache folder. */
  readonly cacheFile: string | undefined;
  /** Whether V8 took compiled code from the cache. */
  readonly used: boolean;
  /** Writes the cache now if it is due (otherwise a timer or the exit does); true when it was written. */
  readonly flush: () => boolean;
  /** What the file exported (`module.exports`). */
  readonly exports: unknown;
}

/**
 * Runs `file` (a CommonJS script that needs only Node's built-in modules, such as an esbuild
 * bundle) as a CommonJS module, with V8 code from `cacheDir` when there is a good one; when there
 * is none, one is written {@link CACHE_WRITE_AFTER_MS} after the start or at exit.
 */
export function runWithCodeCache(file: string, cacheDir: string | undefined): CodeCacheRun {
  const bytes = readFileSync(file);
  let source = bytes.toString('utf8');
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const cacheFile = cacheDir && privateDir(cacheDir) ? join(cacheDir, `${basename(file)}-${cacheKey(bytes)}-${process.version}-${process.arch}.v8`) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  let due = cacheFile !== undefined && !used;
  const flush = (): boolean => {
    if (!due || !cacheFile) return false;
    due = false;
    return writeCache(cacheFile, script.createCachedData(), basename(file));
  };
  if (due) {
    setTimeout(flush, CACHE_WRITE_AFTER_MS).unref();
    process.once('exit', flush);
  }
  const mod = new Module(file);
  mod.filename = file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run(mod.exports, createRequire(file), mod, file, dirname(file));
  return { cacheFile, used, flush, exports: mod.exports };
}
