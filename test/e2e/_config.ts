/** A stack folder with any Terraform JSON configuration (resources, data, ephemeral, outputs) and the provider mirror. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiAccessProviderMirror } from '../../src/constructs/mirror';
import type { Harness } from './_harness';

export function configStack(h: Harness, name: string, blocks: Record<string, unknown>): string {
  const dir = join(h.work, name);
  mkdirSync(dir, { recursive: true });
  ApiAccessProviderMirror.write(dir);
  const config = {
    terraform: { required_providers: { apiaccess: { source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' } } },
    provider: { apiaccess: {} },
    ...blocks,
  };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
  return dir;
}
