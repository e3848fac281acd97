/**
 * ApiAccessProvider: the provider block it synthesizes, its refusal of literal secrets, the
 * implied local provider mirror it writes at synth, and the real `terraform init` + `validate`
 * that start the provider through that mirror.
 */
import { App, LocalBackend, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runTerraform, terraformEnv, type TerraformRun } from '../../src/bin/terraform-cli';
import { packageHash } from '../../src/constructs/mirror';
import {
  ApiAccessProvider,
  ApiAccessProviderMirror,
  ApiAccessValidation,
  type ApiAccessProviderProps,
  SignicatApiClient,
  SignicatClientSecret,
} from '../../src/index';
import { CODE_CACHE_ENV } from '../../src/core/code-cache';
import { MAGIC_COOKIE_VALUE } from '../../src/provider/protocol/handshake';
import { removeTempDirs, ROOT, SEED_SECRET, synthObject, tempDir, trackDir } from './_synth';

const ENTRY = join(ROOT, 'lib', 'bundle', 'provider.bundle.js');
const OS_ARCH = `${process.platform === 'win32' ? 'windows' : process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch}`;
const LAUNCHER = join('terraform.d', 'plugins', 'apiaccess.local', 'apiaccess', 'apiaccess', '0.1.0', OS_ARCH, 'terraform-provider-apiaccess_v0.1.0');

const { NODE_ENV: APIACCESS_NODE_ENV, PROVIDER_BIN_ENV: APIACCESS_PROVIDER_BIN_ENV, LAUNCHER: PROVIDER_LAUNCHER } = ApiAccessProviderMirror;
const { PROVIDER_SOURCE: APIACCESS_PROVIDER_SOURCE, PROVIDER_VERSION: APIACCESS_PROVIDER_VERSION } = ApiAccessProvider;
const providerBundle = (): string => ApiAccessProviderMirror.bundlePath();
/** The bundled provider's code, next to its entry point. */
const providerMain = (): string => join(dirname(providerBundle()), 'provider.main.js');
const writeProviderMirror = (dir: string): string => ApiAccessProviderMirror.write(dir);

const savedBin = process.env[APIACCESS_PROVIDER_BIN_ENV];

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run "npm run build" before these tests`);
});
beforeEach(() => {
  delete process.env[APIACCESS_PROVIDER_BIN_ENV];
});
afterEach(() => {
  if (savedBin === undefined) delete process.env[APIACCESS_PROVIDER_BIN_ENV];
  else process.env[APIACCESS_PROVIDER_BIN_ENV] = savedBin;
  removeTempDirs();
});

/** Runs `fn` and returns what it throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

/** A real synth (`app.synth()`) of one stack into a fresh outdir; returns the stack folder. */
function synthToDisk(build: (stack: TerraformStack) => void, stackId = 'stack', outdir = tempDir('cdktf.out.')): string {
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, stackId);
  new LocalBackend(stack, { path: join(outdir, `${stackId}.tfstate`) });
  build(stack);
  app.synth();
  return join(outdir, 'stacks', stackId);
}

describe('the provider block', () => {
  it('declares source and version in required_providers and leaves unset settings out', () => {
    const json = synthObject((s) => void new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false }));
    expect(json.terraform.required_providers).toEqual({ apiaccess: { source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' } });
    expect(APIACCESS_PROVIDER_SOURCE).toBe('apiaccess.local/apiaccess/apiaccess');
    expect(APIACCESS_PROVIDER_VERSION).toBe('0.1.0');
    expect(json.provider.apiaccess).toEqual([{}]);
  });

  it('writes each setting under its Terraform name', () => {
    const props: ApiAccessProviderProps = {
      sandboxUrl: 'http://127.0.0.1:8080',
      signicatBaseUrl: 'https://api.signicat.com',
      signicatClientId: 'sandbox-round-apple-123',
      signicatAccountId: 'a-spge-sandbox00000000000001',
      writeProviderMirror: false,
    };
    const json = synthObject((s) => void new ApiAccessProvider(s, 'apiaccess', props));
    expect(json.provider.apiaccess).toEqual([
      {
        sandbox_url: 'http://127.0.0.1:8080',
        signicat_base_url: 'https://api.signicat.com',
        signicat_client_id: 'sandbox-round-apple-123',
        signicat_account_id: 'a-spge-sandbox00000000000001',
      },
    ]);
  });

  it('an aliased provider synthesizes its alias and is addressed as apiaccess.<alias>', () => {
    let alias: string | undefined;
    const json = synthObject((s) => {
      new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false });
      const second = new ApiAccessProvider(s, 'second', { alias: 'second', writeProviderMirror: false });
      alias = second.alias;
      new SignicatApiClient(s, 'via_second', { name: 'via second', provider: second });
    });
    expect(json.provider.apiaccess).toEqual([{}, { alias: 'second' }]);
    // A resource given `provider: second` is written as `provider = <fqn>`: it must name the alias,
    // or Terraform silently uses the default configuration.
    expect({ alias, provider: json.resource.apiaccess_signicat_api_client!.via_second!.provider }).toEqual({ alias: 'second', provider: 'apiaccess.second' });
  });

  it('Testing.synthScope gives the same provider block', () => {
    const json = JSON.parse(
      Testing.synthScope((scope) => {
        trackDir(App.of(scope).outdir);
        new ApiAccessProvider(scope, 'apiaccess', { signicatClientId: 'sandbox-round-apple-123', writeProviderMirror: false });
      }),
    ) as { provider: unknown; terraform: unknown };
    expect(json.provider).toEqual({ apiaccess: [{ signicat_client_id: 'sandbox-round-apple-123' }] });
    expect(json.terraform).toEqual({ required_providers: { apiaccess: { source: APIACCESS_PROVIDER_SOURCE, version: APIACCESS_PROVIDER_VERSION } } });
  });

  it('refuses a literal signicatClientSecret, naming the path, the prop and the environment variable, without echoing the value', () => {
    const app = Testing.app({ outdir: tempDir() });
    const stack = new TerraformStack(app, 'stack');
    const err = thrown(() => new ApiAccessProvider(stack, 'apiaccess', { signicatClientSecret: SEED_SECRET, writeProviderMirror: false }));
    expect(err.code).toBe('APIACCESS_INVALID_ARGUMENT');
    expect(err.name).toBe('ApiAccessValidationError');
    expect(err).toBeInstanceOf(Error);
    expect(ApiAccessValidation.isValidationError(err)).toBe(true);
    if (!ApiAccessValidation.isValidationError(err)) throw err;
    expect([err.code, err.prop, err.constructPath]).toEqual([ApiAccessValidation.ERROR_CODE, 'signicatClientSecret', 'stack/apiaccess']);
    expect(ApiAccessValidation.isValidationError(new Error(err.message))).toBe(false);
    expect(err.message.startsWith('stack/apiaccess: signicatClientSecret ')).toBe(true);
    expect(err.message).toContain('APIACCESS_SIGNICAT_CLIENT_SECRET');
    expect(err.message).not.toContain(SEED_SECRET);
  });

  it('refuses even an empty literal secret', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir() }), 'stack');
    expect(thrown(() => new ApiAccessProvider(stack, 'apiaccess', { signicatClientSecret: '', writeProviderMirror: false })).code).toBe(
      'APIACCESS_INVALID_ARGUMENT',
    );
  });

  it('accepts the secret as a sensitive TerraformVariable and synthesizes only the reference', () => {
    const json = synthObject((s) => {
      const secret = new TerraformVariable(s, 'signicat_client_secret', { type: 'string', sensitive: true });
      new ApiAccessProvider(s, 'apiaccess', { signicatClientSecret: secret.stringValue, writeProviderMirror: false });
    });
    expect(json.provider.apiaccess).toEqual([{ signicat_client_secret: '${var.signicat_client_secret}' }]);
    expect(json.variable?.signicat_client_secret).toEqual({ type: 'string', sensitive: true });
  });
});

describe('the implied local provider mirror', () => {
  const bundleOf = (stackDir: string): string => join(stackDir, dirname(LAUNCHER), 'provider.bundle.js');

  it('a real synth writes the launcher and the bundled provider, both executable, with no machine path in them', () => {
    const stackDir = synthToDisk((s) => void new ApiAccessProvider(s, 'apiaccess'), 'mirror-stack');
    expect(existsSync(join(stackDir, 'cdk.tf.json'))).toBe(true);
    const launcher = join(stackDir, LAUNCHER);
    expect(statSync(launcher).mode & 0o777).toBe(0o755);
    expect(statSync(bundleOf(stackDir)).mode & 0o777).toBe(0o755);
    const text = readFileSync(launcher, 'utf8');
    expect(text).toBe(PROVIDER_LAUNCHER);
    expect(text.split('\n')[0]).toBe('#!/bin/sh');
    expect(text).not.toContain(process.execPath);
    expect(text).not.toContain(ROOT);
    expect(readFileSync(bundleOf(stackDir)).equals(readFileSync(providerBundle()))).toBe(true);
    expect(readFileSync(join(dirname(launcher), 'provider.main.js')).equals(readFileSync(providerMain()))).toBe(true);
    expect(readdirSync(dirname(launcher)).sort()).toEqual(['provider.bundle.js', 'provider.main.js', 'terraform-provider-apiaccess_v0.1.0']);
  });

  it('issue 12: the launched provider keeps its V8 code cache outside the mirror (written once, then used) and hands out the same handshake', async () => {
    const launcher = writeProviderMirror(tempDir());
    const before = readdirSync(dirname(launcher)).sort();
    const cache = join(tempDir('code-cache-'), 'v8');
    const env = { PATH: process.env.PATH, [CODE_CACHE_ENV]: cache, TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6' };
    const handshake = (): Promise<string> =>
      new Promise((resolvePromise, reject) => {
        const child = spawn('/bin/sh', [launcher], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.on('error', reject);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          // SIGTERM: the provider closes and exits, writing the cache on its way out.
          if (out.includes('\n')) child.kill('SIGTERM');
        });
        child.on('close', () => resolvePromise(out));
      });
    expect(await handshake()).toMatch(/^1\|6\|unix\|\S+\|grpc\|\n$/);
    const written = readdirSync(cache);
    expect(written).toEqual([expect.stringMatching(/^provider\.main\.js-[0-9a-f]{32}-v[\d.]+-\w+\.v8$/)]);
    const mtime = statSync(join(cache, written[0]!)).mtimeMs;
    expect(await handshake()).toMatch(/^1\|6\|unix\|\S+\|grpc\|\n$/);
    // Used, not rewritten: the second start found it good.
    expect(readdirSync(cache)).toEqual(written);
    expect(statSync(join(cache, written[0]!)).mtimeMs).toBe(mtime);
    expect(readdirSync(dirname(launcher)).sort()).toEqual(before);
  });

  it('issue 12: the mirror written at two different paths has the same h1: hash, and it is the one Terraform computes', async () => {
    const one = tempDir('first-');
    const two = join(tempDir('second-'), 'deeper', 'stack');
    mkdirSync(two, { recursive: true });
    writeProviderMirror(one);
    writeProviderMirror(two);
    const hashOf = (dir: string): string => /"(h1:[^"]+)"/.exec(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8'))![1]!;
    expect(hashOf(one)).toBe(hashOf(two));
    const files = new Map(readdirSync(join(one, dirname(LAUNCHER))).map((n) => [n, readFileSync(join(one, dirname(LAUNCHER), n))]));
    expect(packageHash(files)).toBe(hashOf(one));
  });

  it('writes one mirror per stack, each in its own stack folder', () => {
    const outdir = tempDir('cdktf.out.');
    const app = new App({ outdir, stackTraces: false });
    for (const id of ['first', 'second']) new ApiAccessProvider(new TerraformStack(app, id), 'apiaccess');
    app.synth();
    for (const id of ['first', 'second']) expect(existsSync(join(outdir, 'stacks', id, LAUNCHER))).toBe(true);
  });

  it('writeProviderMirror is idempotent: same content and an untouched mtime on the second write', () => {
    const dir = tempDir();
    const file = writeProviderMirror(dir);
    expect(relative(dir, file)).toBe(LAUNCHER);
    const before = readFileSync(file, 'utf8');
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(file, past, past);
    utimesSync(bundleOf(dir), past, past);

    expect(writeProviderMirror(dir)).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(statSync(file).mtimeMs).toBe(past.getTime());
    expect(statSync(bundleOf(dir)).mtimeMs).toBe(past.getTime());
    expect(statSync(file).mode & 0o777).toBe(0o755);
  });

  it('a second synth into the same outdir leaves the mirror untouched', () => {
    const outdir = tempDir('cdktf.out.');
    const stackDir = synthToDisk((s) => void new ApiAccessProvider(s, 'apiaccess'), 'stack', outdir);
    const launcher = join(stackDir, LAUNCHER);
    const past = new Date('2020-01-01T00:00:00Z');
    utimesSync(launcher, past, past);
    synthToDisk((s) => void new ApiAccessProvider(s, 'apiaccess'), 'stack', outdir);
    expect(statSync(launcher).mtimeMs).toBe(past.getTime());
  });

  it('rewrites a launcher or bundle whose content is stale, and removes files that do not belong', () => {
    const dir = tempDir();
    const file = writeProviderMirror(dir);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, '#!/bin/sh\nexit 1\n');
    writeFileSync(bundleOf(dir), '// old');
    writeFileSync(join(dirname(file), 'terraform-provider-apiaccess_v0.0.9'), 'stale');
    writeProviderMirror(dir);
    expect(readFileSync(file, 'utf8')).toBe(good);
    expect(readFileSync(bundleOf(dir)).equals(readFileSync(providerBundle()))).toBe(true);
    expect(readdirSync(dirname(file)).sort()).toEqual(['provider.bundle.js', 'provider.main.js', 'terraform-provider-apiaccess_v0.1.0']);
  });

  it('Testing.fullSynth writes the mirror into the stack folder it synthesizes', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf.app.') }), 'stack');
    new ApiAccessProvider(stack, 'apiaccess');
    new SignicatApiClient(stack, 'ci_deploy', { name: 'ci deploy' });
    const outdir = trackDir(Testing.fullSynth(stack));
    const stackDir = join(outdir, 'stacks', 'stack');
    expect(existsSync(join(stackDir, 'cdk.tf.json'))).toBe(true);
    // The construct documents the stack folder as self-sufficient; fullSynth's outdir is not the app's.
    expect(existsSync(join(stackDir, LAUNCHER))).toBe(true);
  });

  it('writeProviderMirror: false writes no mirror', () => {
    const stackDir = synthToDisk((s) => void new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false }));
    expect(existsSync(join(stackDir, 'cdk.tf.json'))).toBe(true);
    expect(existsSync(join(stackDir, 'terraform.d'))).toBe(false);
  });

  it(`the launcher runs the bundle with node from PATH, ${APIACCESS_NODE_ENV} or ${APIACCESS_PROVIDER_BIN_ENV} at run time`, () => {
    const dir = tempDir();
    const launcher = writeProviderMirror(dir);
    const standIn = join(tempDir(), 'stand-in.js');
    writeFileSync(standIn, 'console.log("stand-in " + process.argv.slice(2).join(" "))\n');
    const run = (env: NodeJS.ProcessEnv) => spawnSync('/bin/sh', [launcher, 'x'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(run({ [APIACCESS_PROVIDER_BIN_ENV]: standIn }).stdout).toBe('stand-in x\n');
    expect(run({ [APIACCESS_PROVIDER_BIN_ENV]: standIn, [APIACCESS_NODE_ENV]: process.execPath, PATH: '/nonexistent' }).stdout).toBe('stand-in x\n');
  });

  it('issue 12: with no node on PATH the launcher says in one line what it looked for (on stdout, which terraform shows)', () => {
    const launcher = writeProviderMirror(tempDir());
    const res = spawnSync('/bin/sh', [launcher], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stdout.trim().split('\n')).toEqual([expect.stringContaining('no Node.js found (looked for "node" on PATH=/nonexistent)')]);
    expect(res.stdout).toContain(APIACCESS_NODE_ENV);
  });

  it('issue 12: the bundle refuses a Node.js older than 20.19 in one line, before loading anything', () => {
    const res = spawnSync(
      process.execPath,
      ['-e', `Object.defineProperty(process.versions, 'node', { value: '18.20.0' }); require(${JSON.stringify(providerBundle())})`],
      {
        encoding: 'utf8',
      },
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/^apiaccess: the provider needs Node\.js >= 20\.19, but found 18\.20\.0 at .*\n$/);
  });
});

/** Terraform's human output with the diagnostic box and line wrapping taken out. */
function flat(run: TerraformRun): string {
  return `${run.stdout}\n${run.stderr}`.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');
}

function expectExit(run: TerraformRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
}

describe('real terraform through the mirror', () => {
  /** Env for terraform: an empty CLI config file we create, no checkpoint calls, nothing from apiaccess. */
  function env(): NodeJS.ProcessEnv {
    const work = tempDir('apiaccess-tf-');
    const cliConfig = join(work, 'empty.tfrc');
    writeFileSync(cliConfig, '');
    return terraformEnv(work, {
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
      APIACCESS_SANDBOX_URL: undefined,
      [APIACCESS_PROVIDER_BIN_ENV]: undefined,
    });
  }

  function example(stack: TerraformStack): void {
    new ApiAccessProvider(stack, 'apiaccess');
    const a = new SignicatApiClient(stack, 'ci_deploy', { name: 'ci deploy', permissions: ['authentication:read'], accessTokenLifetime: 900 });
    new SignicatApiClient(stack, 'reporting', { name: 'reporting' });
    new SignicatClientSecret(stack, 'ci_deploy_secret', { clientId: a.clientId, name: 'rotation-1' });
  }

  it('terraform init and validate both succeed on the synthesized stack', async () => {
    const stackDir = synthToDisk(example);
    const e = env();
    const init = await runTerraform(['init'], stackDir, e);
    expectExit(init, 0);
    expect(flat(init)).toContain('Terraform has been successfully initialized');
    expect(flat(init)).toContain('apiaccess.local/apiaccess/apiaccess');
    const validate = await runTerraform(['validate'], stackDir, e);
    expectExit(validate, 0);
    expect(flat(validate)).toContain('The configuration is valid');
  }, 120_000);

  it('terraform validate fails (exit 1) on access_token_lifetime 0 written by hand, saying 1 to 3600', async () => {
    const stackDir = synthToDisk(example);
    const file = join(stackDir, 'cdk.tf.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    config.resource.apiaccess_signicat_api_client!.ci_deploy!.access_token_lifetime = 0;
    writeFileSync(file, JSON.stringify(config, null, 2));

    const e = env();
    expectExit(await runTerraform(['init'], stackDir, e), 0);
    const validate = await runTerraform(['validate'], stackDir, e);
    expectExit(validate, 1);
    const text = flat(validate);
    expect(text).toContain('access_token_lifetime');
    expect(text).toContain('1 to 3600');

    const asJson = await runTerraform(['validate', '-json'], stackDir, e);
    expectExit(asJson, 1);
    const report = JSON.parse(asJson.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail: string }[] };
    expect(report.valid).toBe(false);
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', summary: 'Invalid Attribute Value', detail: expect.stringMatching(/access_token_lifetime.*1 to 3600/) }),
    ]);
  }, 120_000);
});
