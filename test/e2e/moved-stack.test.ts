/**
 * issue 12: a relocatable mirror. A stack synthesized in one folder, applied, then moved to another
 * path plans to no changes there (the lock file's hash holds: the mirror is the same bytes
 * everywhere), and a fresh copy of the same stack elsewhere initialises against the same lock file.
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { expectExit, plainStack, startHarness, type Harness } from './_harness';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness('moved');
});
afterAll(async () => {
  await h.close();
});

describe('issue 12: a stack folder that moves still plans', () => {
  it('apply in one folder, move it, init and plan there: exit 0, and the lock file is unchanged', async () => {
    const dir = plainStack(h, 'before-move', { apiaccess_signicat_api_client: { app: { name: 'moved-app' } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    const lock = readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8');

    // Move the whole stack folder (state, .terraform, mirror) to another path, as a pipeline moving cdktf.out would.
    mkdirSync(join(h.work, 'somewhere'), { recursive: true });
    const moved = join(h.work, 'somewhere', 'else');
    renameSync(dir, moved);
    expectExit(await h.tf(moved, 'init', '-input=false'), 0);
    expectExit(await h.tf(moved, 'plan', '-detailed-exitcode', '-input=false'), 0);
    expect(readFileSync(join(moved, '.terraform.lock.hcl'), 'utf8')).toBe(lock);
  });
});
