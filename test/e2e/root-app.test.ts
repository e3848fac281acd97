/**
 * issue 13: the repository's own cdktf app. `cdktf synth` at the root runs every example folder
 * that exists (discovered, no list) and writes one stack per example, each with its provider
 * mirror and lock entry, under one manifest; a second synth keeps each stack's local state.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../../src/bin/terraform-cli';
import { exampleApps } from '../../src/bin/root-app';
import { expectExit, ROOT, startHarness, type Harness } from './_harness';

jest.setTimeout(120_000);

describe('issue 13: the root cdktf app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('root-app');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('synthesizes one stack per example folder from the repository root', async () => {
    const examples = exampleApps(join(ROOT, 'examples'));
    expect(examples.map((d) => d.split('/').pop())).toContain('signicat');
    const out = join(h.work, 'cdktf.out');
    const synth = expectExit(
      await runNode([join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], ROOT, {
        ...h.env,
        CI: '1',
        FORCE_COLOR: '0',
      }),
      0,
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { stacks: Record<string, { workingDirectory: string }> };
    const names = Object.keys(manifest.stacks);
    expect(names).toHaveLength(examples.length);
    expect(names).toContain('signicat');
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual([...names].sort());
    expect(existsSync(join(out, '.examples'))).toBe(false);
    for (const name of names) {
      const dir = join(out, manifest.stacks[name].workingDirectory);
      expect(JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')).terraform.required_providers.apiaccess.source).toBe(
        'apiaccess.local/apiaccess/apiaccess',
      );
      expect(existsSync(join(dir, 'terraform.d', 'plugins'))).toBe(true);
      expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toContain('apiaccess.local/apiaccess/apiaccess');
      expect(synth.stdout).toContain(name);
      writeFileSync(join(dir, 'terraform.tfstate'), '{"kept": true}');
    }
    // A second synth (cdktf deploy / destroy synthesize again) keeps each stack's local state.
    expectExit(
      await runNode([join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], ROOT, {
        ...h.env,
        CI: '1',
        FORCE_COLOR: '0',
      }),
      0,
    );
    for (const name of names) expect(readFileSync(join(out, manifest.stacks[name].workingDirectory, 'terraform.tfstate'), 'utf8')).toBe('{"kept": true}');
  });
});
