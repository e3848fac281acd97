/**
 * The pipeline path users run: `cdktf deploy`, `cdktf diff` and `cdktf destroy` on
 * examples/signicat, offline, against the sandbox (no `terraform providers lock` round trip to
 * an origin host, thanks to the lock entry written at synth).
 */
import { join } from 'node:path';
import { runNode } from '../../src/bin/terraform-cli';
import { SEED_CLIENT_ID } from '../../src/vendors/signicat/emulator/state';
import { expectExit, ROOT, startHarness, type Harness } from './_harness';

jest.setTimeout(120_000);

describe('cdktf deploy / diff / destroy through the apiaccess provider', () => {
  let h: Harness;
  const cdktf = (...args: string[]) =>
    runNode(
      [join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), ...args, '--output', join(h.work, 'cdktf.out')],
      join(ROOT, 'examples', 'signicat'),
      {
        ...h.env,
        FORCE_COLOR: '0',
        CI: '1',
      },
    );
  const managed = (): string[] =>
    (h.sandbox.snapshot().signicat as { clients: { id: string; name: string }[] }).clients.filter((c) => c.id !== SEED_CLIENT_ID).map((c) => c.name);

  beforeAll(async () => {
    h = await startHarness('cdktf');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('deploys, finds no difference, and destroys', async () => {
    const deploy = expectExit(await cdktf('deploy', '--auto-approve'), 0);
    expect(deploy.stdout).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed.');
    expect(managed().sort()).toEqual(['backend-service', 'reporting-job']);

    const diff = expectExit(await cdktf('diff'), 0);
    expect(diff.stdout).toContain('No changes.');

    const destroy = expectExit(await cdktf('destroy', '--auto-approve'), 0);
    expect(destroy.stdout).toContain('Destroy complete! Resources: 4 destroyed.');
    expect(managed()).toEqual([]);
  });
});
