/**
 * issue 13: `terraform -chdir=<stack>` from another folder. Without help Terraform looks the
 * provider up on apiaccess.local (the failure the README quotes); with the documented
 * `-plugin-dir=terraform.d/plugins` it installs from the stack's mirror, and -chdir plans work.
 */
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import type { TerraformRun } from '../../src/bin/terraform-cli';
import { expectExit, plainStack, startHarness, type Harness } from './_harness';

jest.setTimeout(90_000);

describe('issue 13: terraform -chdir on a synthesized stack', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('chdir');
  });
  afterAll(async () => {
    await h?.close();
  });

  const tf = (...args: string[]): Promise<TerraformRun> =>
    new Promise((resolve, reject) => {
      const child = spawn('terraform', args, { cwd: h.work, env: h.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: 0 }));
    });

  it('fails on the origin host without -plugin-dir, and plans from the mirror with it', async () => {
    const stack = plainStack(h, 'stacks/chdir', { apiaccess_signicat_api_client: { c: { name: 'chdir-client' } } });
    const chdir = `-chdir=${relative(h.work, stack)}`;
    const bare = expectExit(await tf(chdir, 'init', '-no-color'), 1);
    expect(bare.stderr).toContain('Failed to query available provider packages');
    expect(bare.stderr).toContain('apiaccess.local');

    expectExit(await tf(chdir, 'init', '-no-color', '-plugin-dir=terraform.d/plugins'), 0);
    expect(expectExit(await tf(chdir, 'plan', '-no-color', '-detailed-exitcode'), 2).stdout).toContain('1 to add');
  });
});
