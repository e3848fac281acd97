/**
 * Shared helpers for the construct tests (left out of testMatch by the leading underscore):
 * temporary synth folders that are removed after each test, synthesized JSON as an object, and a
 * snapshot serializer that scrubs absolute paths, timestamps and anything secret-shaped.
 */
import { App, Testing, TerraformStack } from 'cdktf';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (the folder with package.json). */
export const ROOT = resolve(__dirname, '..', '..');

/** The seeded Signicat managing secret: it must never appear in a synthesized stack or a snapshot. */
export const SEED_SECRET = 'fakeCl13n7S3Cr3T1234567890';

/** A run of 32 or more letters and digits: the shape of generated secrets, tokens and hashes. */
export const SECRET_SHAPED = /[A-Za-z0-9]{32,}/;

const made: string[] = [];

/** A new temporary folder, removed by {@link removeTempDirs}. */
export function tempDir(prefix = 'apiaccess-constructs-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Registers a folder made elsewhere (e.g. by `Testing.fullSynth`) for removal; returns it. */
export function trackDir(dir: string): string {
  made.push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made; call it in afterEach. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A testing app (stubbed version, future flags) whose outdir is a fresh temporary folder. */
export function testingApp(): App {
  return Testing.app({ outdir: tempDir('cdktf.outdir.') });
}

/** Builds a stack in a testing app and returns its synthesized Terraform JSON as an object. */
export function synthObject(build: (stack: TerraformStack) => void, stackId = 'stack'): SynthJson {
  const stack = new TerraformStack(testingApp(), stackId);
  build(stack);
  return JSON.parse(Testing.synth(stack)) as SynthJson;
}

/** The parts of cdk.tf.json the tests read. */
export interface SynthJson {
  terraform: { required_providers: Record<string, unknown>; backend?: unknown };
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, Record<string, unknown>>;
  output?: Record<string, Record<string, unknown>>;
}

const ISO_TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces absolute paths, timestamps and secret-shaped values in `text` with stable placeholders. */
export function scrub(text: string): string {
  let out = text.split(SEED_SECRET).join('<SECRET>');
  out = out.replace(new RegExp(SECRET_SHAPED.source, 'g'), '<SECRET>');
  const roots: [string, string][] = [
    [ROOT, '<ROOT>'],
    [realpathSync(tmpdir()), '<TMP>'],
    [tmpdir(), '<TMP>'],
    [process.execPath, '<NODE>'],
    [homedir(), '<HOME>'],
  ];
  for (const [path, name] of roots.sort((a, b) => b[0].length - a[0].length)) {
    if (path.length > 1) out = out.replace(new RegExp(`${escape(path)}(?=/|$|[^\\w.-])`, 'g'), name);
  }
  // Any other absolute path.
  out = out.replace(/(^|[\s"'=(])\/(?:[^\s"')/]+\/)*[^\s"')/]+/g, '$1<ABS_PATH>');
  return out.replace(ISO_TIMESTAMP, '<TIMESTAMP>');
}

/** `scrub` applied to every string (keys included) of a JSON-like value. */
export function scrubDeep(value: unknown): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map(scrubDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubDeep(v)]));
  return value;
}

/** Jest snapshot serializer: every string passes through {@link scrub} before it is written. */
export const scrubSerializer: jest.SnapshotSerializerPlugin = {
  test: (value: unknown) => typeof value === 'string' && scrub(value) !== value,
  serialize: (value: string, config, indentation, depth, refs, printer) => printer(scrub(value), config, indentation, depth, refs),
};
