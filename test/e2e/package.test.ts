/**
 * issue 13: the package as a user gets it. `npm pack` on the repository (lib/ is built by the
 * test run's `npm run build`, so the pack skips `prepare`), the tarball installed into a fresh
 * cdktf app in a temp folder outside the repository (runtime dependencies and the cdktf /
 * constructs peers from the npm cache or registry), then type check → `cdktf synth` →
 * `terraform init / apply` → `plan -detailed-exitcode` (0) → `destroy` against the sandbox.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode, runNpm } from '../../src/bin/terraform-cli';
import { SEED_CLIENT_ID } from '../../src/vendors/signicat/emulator/state';
import { expectExit, ROOT, startHarness, type Harness } from './_harness';

jest.setTimeout(180_000);

const appSource = (clientName: string): string => `import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { ApiAccessProvider, SignicatApiClient, SignicatClientSecret } from 'apiaccess';

const app = new App();
const stack = new TerraformStack(app, 'credentials');
new ApiAccessProvider(stack, 'apiaccess');
const client = new SignicatApiClient(stack, 'packaged-client', { name: '${clientName}', permissions: ['authentication:read'] });
const secret = new SignicatClientSecret(stack, 'packaged-secret', { clientId: client.clientId, name: 'pipeline' });
new TerraformOutput(stack, 'client_id', { value: client.clientId });
new TerraformOutput(stack, 'client_secret', { value: secret.value, sensitive: true });
app.synth();
`;

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/**
 * Both ends of the declared peer ranges: the lowest versions `peerDependencies` admits
 * (cdktf >=0.20.0, constructs ^10.3.0) and the newest published when this was written (cdktf
 * 0.21.0, the last cdktf; constructs 10.8.1).
 */
const ENDS = [
  { end: 'lowest', cdktf: '0.20.0', constructs: '10.3.0' },
  { end: 'highest', cdktf: '0.21.0', constructs: '10.8.1' },
] as const;

describe('issue 13: the packed tarball in a fresh cdktf app', () => {
  let h: Harness;
  let tarball: string;
  let paths: string[];
  beforeAll(async () => {
    h = await startHarness('package');
    const env = { ...h.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0', CI: '1' };
    const pack = expectExit(await runNpm(['pack', '--ignore-scripts', '--json', '--pack-destination', h.work], ROOT, env), 0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    paths = info.files.map((f) => f.path);
    tarball = join(h.work, info.filename);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the tarball holds lib, docs and the licence, and no maps, sources or tests', () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'lib/index.js',
        'lib/index.d.ts',
        'lib/bundle/provider.bundle.js',
        'lib/bundle/provider.main.js',
      ]),
    );
    expect(paths.filter((p) => /\.map$|^src\/|^test\/|^examples\/|tsbuildinfo|^\.ci\//.test(p))).toEqual([]);
  });

  it('the tested ends lie inside the declared peer ranges', () => {
    expect(manifest.peerDependencies.cdktf).toBe('>=0.20.0 <0.22.0');
    expect(manifest.peerDependencies.constructs).toBe('^10.3.0');
    expect(ENDS.map((e) => e.cdktf)).toEqual(['0.20.0', '0.21.0']);
  });

  it.each(ENDS)(
    '$end end (cdktf $cdktf, constructs $constructs): installs outside the repo, type-checks, synthesizes, applies, plans clean and destroys',
    async ({ end, cdktf, constructs }) => {
      const env = { ...h.env, npm_config_update_notifier: 'false', FORCE_COLOR: '0', CI: '1' };
      const clientName = `packaged-${end}`;
      const app = join(h.work, `app-${end}`);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packaged-app', version: '1.0.0', private: true }));
      writeFileSync(
        join(app, 'cdktf.json'),
        JSON.stringify({ language: 'typescript', app: 'node main.js', terraformProviders: [], sendCrashReports: 'false' }),
      );
      writeFileSync(join(app, 'main.ts'), appSource(clientName));
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, skipLibCheck: false, types: [] },
          include: ['main.ts'],
        }),
      );
      expectExit(await runNpm(['install', tarball, `cdktf@${cdktf}`, `constructs@${constructs}`, '--no-audit', '--no-fund', '--prefer-offline'], app, env), 0);
      const version = (pkg: string): string =>
        (JSON.parse(readFileSync(join(app, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
      expect([version('cdktf'), version('constructs')]).toEqual([cdktf, constructs]);
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'apiaccess', 'package.json'), 'utf8')) as {
        peerDependencies: object;
        peerDependenciesMeta: object;
      };
      expect(installed.peerDependencies).toEqual({ cdktf: expect.any(String), cdktn: expect.any(String), constructs: expect.any(String) });
      // Optional peers: npm installs neither by itself; an app brings the host it uses (apiaccess or apiaccess/cdktn).
      expect(installed.peerDependenciesMeta).toEqual({ cdktf: { optional: true }, cdktn: { optional: true } });

      // The published declarations type-check without @types/node and without skipLibCheck.
      expectExit(await runNode([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app, env), 0);
      expectExit(await runNode([join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth'], app, env), 0);

      const stack = join(app, 'cdktf.out', 'stacks', 'credentials');
      expectExit(await h.tf(stack, 'init'), 0);
      expect(expectExit(await h.tf(stack, 'apply', '-auto-approve'), 0).stdout).toContain('Apply complete! Resources: 2 added');
      const clients = () => (h.sandbox.snapshot().signicat as { clients: { id: string; name: string }[] }).clients.filter((c) => c.id !== SEED_CLIENT_ID);
      expect(clients().map((c) => c.name)).toEqual([clientName]);
      expectExit(await h.tf(stack, 'plan', '-detailed-exitcode'), 0);
      expect(expectExit(await h.tf(stack, 'destroy', '-auto-approve'), 0).stdout).toContain('Destroy complete! Resources: 2 destroyed.');
      expect(clients()).toEqual([]);
    },
  );
});
