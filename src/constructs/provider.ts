/**
 * The apiaccess provider construct. Besides the provider block, it makes the synthesized stack
 * self-sufficient: at synth time it writes an implied local provider mirror
 * (`terraform.d/plugins/...`) into the stack folder, holding the bundled provider (its entry point
 * and its code) and a small launcher that runs it with `node` from the PATH. All are the same bytes
 * on every machine and clone path, so the lock file's `h1:` hash is one value per version and a
 * `cdktf.out` can be moved or copied to another runner. `terraform init` finds the provider
 * offline, with no CLI configuration and no registry.
 */
import { type ISynthesisSession, TerraformProvider, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VENDOR_SETTINGS, type ApiAccessVendorSettings } from './provider-settings.generated';
import { checkNotLiteralSecret } from './validation';

/** Provider source address used in required_providers (a local-only host: never looked up). */
export const APIACCESS_PROVIDER_SOURCE = 'apiaccess.local/apiaccess/apiaccess';
/** The provider version the mirror and required_providers carry. */
export const APIACCESS_PROVIDER_VERSION = '0.1.0';
/** Environment variable the launcher reads at run time: another provider entry point (development). */
export const APIACCESS_PROVIDER_BIN_ENV = 'APIACCESS_PROVIDER_BIN';
/** Environment variable the launcher reads at run time: the node binary to use (default: `node` on PATH). */
export const APIACCESS_NODE_ENV = 'APIACCESS_NODE';
/** The bundled provider's file name in the mirror (not `terraform-provider-…`: Terraform runs the first such file). */
const BUNDLE_NAME = 'provider.bundle.js';
/** The provider's code, which the bundle's entry point runs through V8's code cache (src/bin/provider-start.ts). */
const MAIN_NAME = 'provider.main.js';

/**
 * Settings of the apiaccess provider. Every setting also has an environment-variable fallback.
 * The vendor settings (`signicatClientId`, …) come from each vendor's settings spec.
 */
export interface ApiAccessProviderProps extends ApiAccessVendorSettings {
  /** Alias for a second provider configuration. @default none */
  readonly alias?: string;
  /** Base URL of the apiaccess vendor sandbox (then every vendor uses its seeded credentials). @default APIACCESS_SANDBOX_URL */
  readonly sandboxUrl?: string;
  /**
   * Write the implied local provider mirror into the stack folder at synth.
   * @default true
   */
  readonly writeProviderMirror?: boolean;
}

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

/** The bundled provider's entry point (built by `npm run build`). */
export function providerBundle(): string {
  return join(packageRoot(), 'lib', 'bundle', BUNDLE_NAME);
}

/** The bundled provider's code, which {@link providerBundle} runs (built by `npm run build`). */
export function providerMain(): string {
  return join(packageRoot(), 'lib', 'bundle', MAIN_NAME);
}

/**
 * The launcher: the same bytes everywhere. It runs the bundle next to it (the folder Terraform
 * links to is the mirror folder) with `$APIACCESS_NODE` or `node` from the PATH, and says in one
 * line what it looked for when there is none; the bundle itself refuses a too old Node.js.
 */
export const PROVIDER_LAUNCHER = `#!/bin/sh
# apiaccess provider launcher, written by cdktf synth. The same on every machine and path.
node="\${${APIACCESS_NODE_ENV}:-node}"
if ! command -v "$node" >/dev/null 2>&1; then
  msg="apiaccess: cannot start the provider: no Node.js found (looked for \\"$node\\" on PATH=$PATH); install Node.js >= 20.19 or set ${APIACCESS_NODE_ENV} to its path"
  echo "$msg"
  echo "$msg" >&2
  exit 1
fi
exec "$node" "\${${APIACCESS_PROVIDER_BIN_ENV}:-$(dirname "$0")/${BUNDLE_NAME}}" "$@"
`;

/** Writes `<stackDir>/terraform.d/plugins/<source>/<version>/<os_arch>/` with the launcher and the bundled provider. */
export function writeProviderMirror(stackDir: string): string {
  const bundlePath = providerBundle();
  for (const built of [bundlePath, providerMain()]) {
    if (!existsSync(built)) throw new Error(`apiaccess: the provider is not built (${built} is missing). Run "npm run build" in the apiaccess package first.`);
  }
  const dir = join(stackDir, 'terraform.d', 'plugins', ...APIACCESS_PROVIDER_SOURCE.split('/'), APIACCESS_PROVIDER_VERSION, osArch());
  mkdirSync(dir, { recursive: true });
  const launcherName = `terraform-provider-apiaccess_v${APIACCESS_PROVIDER_VERSION}`;
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
    `provider "${APIACCESS_PROVIDER_SOURCE}" {\n` +
    `  version     = "${APIACCESS_PROVIDER_VERSION}"\n` +
    `  constraints = "${APIACCESS_PROVIDER_VERSION}"\n` +
    `  hashes = [\n    "${hash}",\n  ]\n}\n`;
  const header = '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n';
  const current = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : `${header}`;
  const ours = new RegExp(`provider "${APIACCESS_PROVIDER_SOURCE.replace(/[.]/g, '\\.')}" \\{[\\s\\S]*?\\n\\}\\n`);
  const next = ours.test(current) ? current.replace(ours, block) : `${current.replace(/\n*$/, '\n')}\n${block}`;
  if (next !== current) writeFileSync(lockFile, next);
}

const MIRROR_WRITER = Symbol.for('apiaccess.mirrorWriter');

/**
 * Wraps the stack's synthesizer once, so that after the stack is written the provider mirror is
 * written next to it, in whatever folder the synthesis session uses (cdktf synth, Testing.fullSynth).
 */
function installMirrorWriter(stack: TerraformStack): void {
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

/** The apiaccess Terraform provider. */
export class ApiAccessProvider extends TerraformProvider {
  private readonly props: ApiAccessProviderProps;
  private _alias?: string;

  /** The alias resources use to pick this configuration (`apiaccess.<alias>`). */
  override get alias(): string | undefined {
    return this._alias;
  }
  override set alias(value: string | undefined) {
    this._alias = value;
  }

  constructor(scope: Construct, id: string, props: ApiAccessProviderProps = {}) {
    super(scope, id, {
      terraformResourceType: 'apiaccess',
      terraformGeneratorMetadata: { providerName: 'apiaccess', providerVersion: APIACCESS_PROVIDER_VERSION },
      terraformProviderSource: APIACCESS_PROVIDER_SOURCE,
    });
    const values = props as Record<string, unknown>;
    for (const s of VENDOR_SETTINGS) if (s.sensitive) checkNotLiteralSecret(this, s.prop, values[s.prop] as string | undefined, s.env);
    this.props = props;
    this.alias = props.alias;
    if (props.writeProviderMirror ?? true) installMirrorWriter(TerraformStack.of(this));
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const values = this.props as Record<string, unknown>;
    const attrs: { [name: string]: unknown } = { sandbox_url: this.props.sandboxUrl };
    for (const s of VENDOR_SETTINGS) attrs[s.attribute] = values[s.prop];
    return attrs;
  }

  protected override synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs = this.synthesizeAttributes();
    return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { value: v, isBlock: false, type: 'simple', storageClassType: 'string' }]));
  }
}
