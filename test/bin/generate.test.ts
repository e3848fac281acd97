/** Issue 7: every file generated from the specs is committed and up to date (what `npm run generate` would write). */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { GENERATED_HEADER } from '../../src/bin/codegen/constructs';
import { rawOutputs } from '../../src/bin/codegen/raw';

const ROOT = resolve(__dirname, '..', '..');

describe('issue 7: generated files', () => {
  it('cover the constructs of every vendor with specs and the provider settings, each marked as generated', () => {
    const files = rawOutputs();
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'src/constructs/provider-settings.generated.ts',
        'src/vendors/signicat/constructs/api-client.generated.ts',
        'src/vendors/signicat/constructs/client-secret.generated.ts',
        'src/vendors/signicat/constructs/index.ts',
      ]),
    );
    for (const [path, text] of files) if (path.endsWith('.ts')) expect(text.split('\n')[0]).toBe(GENERATED_HEADER);
  });

  it('are committed with the content the specs produce (the built generator in --check mode; run "npm run generate" when this fails)', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'lib', 'bin', 'generate.js'), '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('generated files are up to date\n');
    expect(run.status).toBe(0);
  });
});
