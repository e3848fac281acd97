/**
 * The implied local provider mirror: at synth the provider construct writes the bundled provider
 * (its entry point and its code) and a small launcher that runs it with `node` from the PATH into
 * the stack folder (`terraform.d/plugins/...`). All are the same bytes on every machine and clone path, so the lock
 * file's `h1:` hash is one value per version and a `cdktf.out` can be moved or copied to another
 * runner. `terraform init` finds the provider offline, with no CLI configuration and no registry.
 */
import type { ISynthesisSession, TerraformStack } from 'cdktf';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Provider source address used in required_providers (a local-only host: never looked up). Public as ApiAccessProvider.PROVIDER_SOURCE. */
export const PROVIDER_SOURCE = 'apiaccess.local/apiaccess/apiaccess';
/** The provider version the mirror and required_providers carry. Public as ApiAccessProvider.PROVIDER_VERSION. */
export const PROVIDER_VERSION = '0.1.0';
const PROVIDER_BIN_ENV = 'APIACCESS_PROVIDER_BIN';
const NODE_ENV = 'APIACCESS_NODE';
/** The bundled provider's file name in the mirror (not `terraform-provider-…`: Terraform runs the first such file). */
const BUNDLE_NAME = 'provider.bundle.js';
/** The provider's code, which the bundle's entry point runs through V8's code cache (src/bin/provider-start.ts). */
const MAIN_NAME = 'provider.main.js';

function osArch(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return `${os}_${arch}`;
}

/** Finds this package's root (the folder with our package.json). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'apiaccess') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('apiaccess: cannot find the package root (package.json named "apiaccess")');
    dir = up;
  }
}

function providerBundle(): string {
  return join(packageRoot(), 'lib', 'bundle', BUNDLE_NAME);
}

function providerMain(): string {
  return join(packageRoot(), 'lib', 'bundle', MAIN_NAME);
}

/** The launcher (see ApiAccessProviderMirror.LAUNCHER). */
const PROVIDER_LAUNCHER = `#!/bin/sh
# apiaccess provider launcher, written by cdktf synth. The same on every machine and path.
node="\${${NODE_ENV}:-node}"
if ! command -v "$node" >/dev/null 2>&1; then
  msg="apiaccess: cannot start the provider: no Node.js found (looked for \\"$node\\" on PATH=$PATH); install Node.js >= 20.19 or set ${NODE_ENV} to its path"
  echo "$msg"
  echo "$msg" >&2
  exit 1
fi
exec "$node" "\${${PROVIDER_BIN_ENV}:-$(dirname "$0")/${BUNDLE_NAME}}" "$@"
`;

function writeProviderMirror(stackDir: string): string {
  const bundlePath = providerBundle();
  for (const built of [bundlePath, providerMain()]) {
    if (!existsSync(built)) throw new Error(`apiaccess: the provider is not built (${built} is missing). Run "npm run build" in the apiaccess package first.`);
  }
  const dir = join(stackDir, 'terraform.d', 'plugins', ...PROVIDER_SOURCE.split('/'), PROVIDER_VERSION, osArch());
  mkdirSync(dir, { recursive: true });
  const launcherName = `terraform-provider-apiaccess_v${PROVIDER_VERSION}`;
  const files = new Map<string, Buffer>([
    [launcherName, Buffer.from(PROVIDER_LAUNCHER)],
    [BUNDLE_NAME, readFileSync(bundlePath)],
    [MAIN_NAME, readFileSync(providerMain())],
  ]);
  for (const [name, content] of files) {
    const file = join(dir, name);
    // Rewrite only what changed, atomically, so a terraform run reading the folder never sees half a file.
    if (!existsSync(file) || !readFileSync(file).equals(content)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, content, { mode: 0o755 });
      renameSync(tmp, file);
    }
    chmodSync(file, 0o755);
  }
  for (const name of readdirSync(dir)) if (!files.has(name)) rmSync(join(dir, name), { force: true, recursive: true });
  writeLockEntry(stackDir, packageHash(files));
  return join(dir, launcherName);
}

/**
 * Terraform's `h1:` package hash: base64 of the sha256 of the lines "<sha256 hex of the file>  <file name>\n",
 * in file-name order.
 */
export function packageHash(files: ReadonlyMap<string, Uint8Array>): string {
  const lines = [...files.keys()]
    .sort()
    .map((name) => `${createHash('sha256').update(files.get(name)!).digest('hex')}  ${name}\n`)
    .join('');
  return `h1:${createHash('sha256').update(lines).digest('base64')}`;
}

/**
 * Records our provider in the stack's `.terraform.lock.hcl`, exactly as `terraform init` would.
 * With a matching entry, `cdktf deploy` skips `terraform providers lock`, which would otherwise
 * ask the (unreachable) origin host of a local-only provider. Other providers' entries are kept.
 */
function writeLockEntry(stackDir: string, hash: string): void {
  const lockFile = join(stackDir, '.terraform.lock.hcl');
  const block =
    `provider "${PROVIDER_SOURCE}" {\n` +
    `  version     = "${PROVIDER_VERSION}"\n` +
    `  constraints = "${PROVIDER_VERSION}"\n` +
    `  hashes = [\n    "${hash}",\n  ]\n}\n`;
  const header = '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n';
  const current = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : `${header}`;
  const ours = new RegExp(`provider "${PROVIDER_SOURCE.replace(/[.]/g, '\\.')}" \\{[\\s\\S]*?\\n\\}\\n`);
  const next = ours.test(current) ? current.replace(ours, block) : `${current.replace(/\n*$/, '\n')}\n${block}`;
  if (next !== current) writeFileSync(lockFile, next);
}

const MIRROR_WRITER = Symbol.for('apiaccess.mirrorWriter');

/**
 * Wraps the stack's synthesizer once, so that after the stack is written the provider mirror is
 * written next to it, in whatever folder the synthesis session uses (cdktf synth, Testing.fullSynth).
 */
export function installMirrorWriter(stack: TerraformStack): void {
  const marked = stack as unknown as Record<symbol, boolean>;
  if (marked[MIRROR_WRITER]) return;
  marked[MIRROR_WRITER] = true;
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession): void {
      inner.synthesize(session);
      writeProviderMirror(join(session.outdir, session.manifest.forStack(stack).workingDirectory));
    },
  };
}

/**
 * The implied local provider mirror an {@link ApiAccessProvider} writes at synth (unless its
 * `writeProviderMirror` prop is false), for tooling that prepares a stack folder itself.
 */
export class ApiAccessProviderMirror {
  /** Environment variable the launcher reads at run time: another provider entry point (development). */
  static readonly PROVIDER_BIN_ENV: string = PROVIDER_BIN_ENV;
  /** Environment variable the launcher reads at run time: the node binary to use (default: `node` on PATH). */
  static readonly NODE_ENV: string = NODE_ENV;
  /**
   * The launcher script: the same bytes everywhere. It runs the bundle next to it (the folder
   * Terraform links to is the mirror folder) with `$APIACCESS_NODE` or `node` from the PATH, and
   * says in one line what it looked for when there is none; the bundle itself refuses a too old Node.js.
   */
  static readonly LAUNCHER: string = PROVIDER_LAUNCHER;

  /** The path of the bundled provider's entry point (built by `npm run build`). */
  static bundlePath(): string {
    return providerBundle();
  }

  /**
   * Writes `<stackDir>/terraform.d/plugins/<source>/<version>/<os_arch>/` with the launcher and the
   * bundled provider, and our entry in `<stackDir>/.terraform.lock.hcl`.
   * @returns the launcher's path
   */
  static write(stackDir: string): string {
    return writeProviderMirror(stackDir);
  }

  private constructor() {}
}
