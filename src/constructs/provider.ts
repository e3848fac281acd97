/**
 * The apiaccess provider construct. Besides the provider block, it makes the synthesized stack
 * self-sufficient: at synth time it writes an implied local provider mirror
 * (`terraform.d/plugins/...`) into the stack folder, holding a small launcher that runs this
 * package's provider with the same Node.js. `terraform init` then finds the provider offline,
 * from a fresh clone at any path, with no CLI configuration and no registry.
 */
import { type ISynthesisSession, TerraformProvider, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VENDOR_SETTINGS, type ApiAccessVendorSettings } from './provider-settings.generated';
import { checkNotLiteralSecret } from './validation';

/** Provider source address used in required_providers (a local-only host: never looked up). */
export const APIACCESS_PROVIDER_SOURCE = 'apiaccess.local/apiaccess/apiaccess';
/** The provider version the mirror and required_providers carry. */
export const APIACCESS_PROVIDER_VERSION = '0.1.0';
/** Environment variable that overrides the provider entry point written into the launcher. */
export const APIACCESS_PROVIDER_BIN_ENV = 'APIACCESS_PROVIDER_BIN';

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

/** The JS entry point of the provider binary. */
export function providerEntryPoint(): string {
  const override = process.env[APIACCESS_PROVIDER_BIN_ENV];
  if (override) return resolve(override);
  return join(packageRoot(), 'lib', 'bin', 'terraform-provider-apiaccess.js');
}

/** Writes `<stackDir>/terraform.d/plugins/<source>/<version>/<os_arch>/terraform-provider-apiaccess_v<version>`. */
export function writeProviderMirror(stackDir: string): string {
  const entry = providerEntryPoint();
  if (!existsSync(entry)) {
    throw new Error(`apiaccess: the provider is not built (${entry} is missing). Run "npm run build" in the apiaccess package first.`);
  }
  const dir = join(stackDir, 'terraform.d', 'plugins', ...APIACCESS_PROVIDER_SOURCE.split('/'), APIACCESS_PROVIDER_VERSION, osArch());
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `terraform-provider-apiaccess_v${APIACCESS_PROVIDER_VERSION}`);
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  // Stable content for a given checkout: the lock file's hash stays valid across rebuilds.
  const launcher = `#!/bin/sh\n# apiaccess provider launcher, written by cdktf synth.\nexec ${quote(process.execPath)} ${quote(entry)} "$@"\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== launcher) writeFileSync(file, launcher);
  chmodSync(file, 0o755);
  writeLockEntry(stackDir, packageHash(launcher, `terraform-provider-apiaccess_v${APIACCESS_PROVIDER_VERSION}`));
  return file;
}

/**
 * Terraform's `h1:` package hash of a one-file package: base64 of the sha256 of
 * "<sha256 hex of the file>  <file name>\n".
 */
function packageHash(content: string, name: string): string {
  const fileHash = createHash('sha256').update(content).digest('hex');
  return `h1:${createHash('sha256').update(`${fileHash}  ${name}\n`).digest('base64')}`;
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
