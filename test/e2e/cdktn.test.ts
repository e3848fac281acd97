/**
 * issue 13: the constructs in a CDK Terrain (cdktn) app. The packed tarball goes into two fresh
 * apps outside the repository, one on cdktn (importing `apiaccess/cdktn`, with no cdktf
 * installed) and one on cdktf (importing `apiaccess`), both running the same program apart from
 * their two import lines. Both type-check against the published declarations (with the
 * `exports` map and with the older `node` resolution), synthesize through the library
 * (`app.synth()`: cdktn-cli 0.24 needs Node.js >= 22.19, the machines have 20), and must write the
 * same stack JSON (only cdktn's version in the `//` metadata differs) and the same provider
 * mirror. Then the cdktn stack runs through terraform init / apply / plan -detailed-exitcode (0) /
 * destroy against the sandbox.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, runNpm } from '../../src/bin/terraform-cli';
import { SEED_CLIENT_ID } from '../../src/vendors/signicat/emulator/state';
import { expectExit, readTree, ROOT, startHarness, type Harness } from './_harness';

jest.setTimeout(240_000);

/** The versions the repository is tested with (its devDependencies) are the ones the apps install. */
const version = (pkg: string): string => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;

/** One program for both hosts: five vendors, resources, a data source and an ephemeral resource. */
const program = (host: string, entry: string): string => `import { App, LocalBackend, TerraformOutput, TerraformStack } from '${host}';
import {
  ApiAccessProvider,
  CarbonblackApiKey,
  DataSilobreakerApiKeys,
  SignicatAccessToken,
  SignicatApiClient,
  SignicatClientSecret,
  SigsciApiToken,
  SilobreakerApiKey,
  ThreatjammerApiKey,
} from '${entry}';

const app = new App();
const stack = new TerraformStack(app, 'credentials');
// State next to the stack: the JSON names no folder of the app.
new LocalBackend(stack, { path: 'terraform.tfstate' });
new ApiAccessProvider(stack, 'apiaccess');
const client = new SignicatApiClient(stack, 'client', { name: 'host-client', permissions: ['authentication:read'] });
const secret = new SignicatClientSecret(stack, 'secret', { clientId: client.clientId, name: 'pipeline' });
new SignicatAccessToken(stack, 'token', { clientId: client.clientId, clientSecret: secret.value });
const siem = new CarbonblackApiKey(stack, 'siem', { name: 'splunk-siem', accessLevel: 'SIEM', rotationPeriod: '720h' });
new ThreatjammerApiKey(stack, 'threatjammer', { enabled: true });
const ci = new SigsciApiToken(stack, 'ci', { name: 'ci primary' });
const feeds = new SilobreakerApiKey(stack, 'feeds', { description: 'threat feed ingestion' });
const keys = new DataSilobreakerApiKeys(stack, 'keys', { dependsOn: [feeds] });
new TerraformOutput(stack, 'client_id', { value: client.clientId });
new TerraformOutput(stack, 'siem_api_id', { value: siem.apiId });
new TerraformOutput(stack, 'ci_token', { value: ci.token, sensitive: true });
new TerraformOutput(stack, 'key_count', { value: \`\\\${length(\${keys.fqn}.keys)}\` });
app.synth();
`;

interface StackJson {
  '//': { metadata: { version: string } };
}

describe('issue 13: the same constructs in a cdktn 0.24 app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('cdktn');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('type-checks, synthesizes the same JSON as on cdktf, applies, plans clean and destroys', async () => {
    const env = { ...h.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0', CI: '1' };
    const pack = expectExit(await runNpm(['pack', '--ignore-scripts', '--json', '--pack-destination', h.work], ROOT, env), 0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    expect(info.files.map((f) => f.path)).toEqual(expect.arrayContaining(['lib/cdktn/index.js', 'lib/cdktn/index.d.ts', 'lib/cdktn/constructs/provider.js']));
    const tarball = join(h.work, info.filename);

    const hosts = [
      { host: 'cdktn', entry: 'apiaccess/cdktn' },
      { host: 'cdktf', entry: 'apiaccess' },
    ] as const;
    const dirs = await Promise.all(
      hosts.map(async ({ host, entry }) => {
        const dir = join(h.work, `app-${host}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `${host}-app`, version: '1.0.0', private: true }));
        writeFileSync(join(dir, 'main.ts'), program(host, entry));
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false, types: [] },
            include: ['main.ts'],
          }),
        );
        const deps = [tarball, `${host}@${version(host)}`, `constructs@${version('constructs')}`];
        expectExit(await runNpm(['install', ...deps, '--no-audit', '--no-fund', '--prefer-offline'], dir, env), 0);
        return dir;
      }),
    );
    const [cdktnApp, cdktfApp] = dirs;
    // Optional peers: a cdktn app does not get cdktf installed, nor a cdktf app cdktn.
    expect(existsSync(join(cdktnApp, 'node_modules', 'cdktf'))).toBe(false);
    expect(existsSync(join(cdktfApp, 'node_modules', 'cdktn'))).toBe(false);

    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const dir of dirs) {
      // The declarations type-check without @types/node and without skipLibCheck, through `exports`
      // (nodenext) and through `typesVersions` (the older node resolution) …
      expectExit(await runNode([tsc, '-p', 'tsconfig.json', '--noEmit', '--module', 'commonjs', '--moduleResolution', 'node'], dir, env), 0);
      expectExit(await runNode([tsc, '-p', 'tsconfig.json'], dir, env), 0);
      // … and the library synthesizes (App's default outdir, cdktf.out, in both).
      expectExit(await runNode(['main.js'], dir, env), 0);
    }

    const stackDir = (dir: string) => join(dir, 'cdktf.out', 'stacks', 'credentials');
    const [onCdktn, onCdktf] = dirs.map((dir) => JSON.parse(readFileSync(join(stackDir(dir), 'cdk.tf.json'), 'utf8')) as StackJson);
    expect(onCdktn['//'].metadata.version).toBe(version('cdktn'));
    expect(onCdktf['//'].metadata.version).toBe(version('cdktf'));
    onCdktn['//'].metadata.version = onCdktf['//'].metadata.version;
    expect(onCdktn).toEqual(onCdktf);
    expect(Object.keys((onCdktn as unknown as { ephemeral: object }).ephemeral)).toEqual(['apiaccess_signicat_access_token']);
    // The provider mirror and its lock entry: the same bytes under either host.
    expect(readTree(join(stackDir(cdktnApp), 'terraform.d'))).toBe(readTree(join(stackDir(cdktfApp), 'terraform.d')));
    expect(readFileSync(join(stackDir(cdktnApp), '.terraform.lock.hcl'), 'utf8')).toBe(readFileSync(join(stackDir(cdktfApp), '.terraform.lock.hcl'), 'utf8'));

    const stack = stackDir(cdktnApp);
    expectExit(await h.tf(stack, 'init'), 0);
    expect(expectExit(await h.tf(stack, 'apply', '-auto-approve'), 0).stdout).toContain('Apply complete! Resources: 6 added');
    const clients = () => (h.sandbox.snapshot().signicat as { clients: { id: string; name: string }[] }).clients.filter((c) => c.id !== SEED_CLIENT_ID);
    expect(clients().map((c) => c.name)).toEqual(['host-client']);
    expectExit(await h.tf(stack, 'plan', '-detailed-exitcode'), 0);
    expect(expectExit(await h.tf(stack, 'destroy', '-auto-approve'), 0).stdout).toContain('Destroy complete! Resources: 6 destroyed.');
    expect(clients()).toEqual([]);
  });
});
