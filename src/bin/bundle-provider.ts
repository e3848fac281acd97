#!/usr/bin/env node
/**
 * Build step (`npm run build`): bundles the provider (`src/bin/provider-main.ts` and everything it
 * loads) into one file, `lib/bundle/provider.main.js`, and its entry point
 * (`src/bin/provider-start.ts`: listens and writes the handshake line with Node's built-ins, then
 * runs the provider through V8's code cache) into `lib/bundle/provider.bundle.js`; the synthesized
 * provider mirror carries both. Self-contained files mean the mirror is the same bytes on every machine and clone
 * path for a version (one `h1:` hash for the lock file), a `cdktf.out` can move, and the provider
 * starts without resolving hundreds of modules. The banner refuses a Node.js older than the
 * provider needs in one readable line, before anything is loaded.
 */
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The oldest Node.js the provider runs on (require() of ES modules without a flag). */
export const MIN_NODE = [20, 19] as const;

const root = resolve(__dirname, '..', '..');
mkdirSync(join(root, 'lib', 'bundle'), { recursive: true });

const versionGuard =
  `{const v=process.versions.node.split('.').map(Number);if(v[0]<${MIN_NODE[0]}||(v[0]===${MIN_NODE[0]}&&v[1]<${MIN_NODE[1]})){` +
  `const m='apiaccess: the provider needs Node.js >= ${MIN_NODE.join('.')}, but found '+process.versions.node+' at '+process.execPath+' (set APIACCESS_NODE to a newer node binary)';` +
  `process.stdout.write(m+'\\n');process.stderr.write(m+'\\n');process.exit(1);}}`;

for (const [entry, out] of [
  ['provider-main.js', 'provider.main.js'],
  ['provider-start.js', 'provider.bundle.js'],
]) {
  buildSync({
    absWorkingDir: root,
    entryPoints: [join(root, 'lib', 'bin', entry)],
    outfile: join(root, 'lib', 'bundle', out),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    minifyWhitespace: true,
    banner: { js: versionGuard },
    logLevel: 'warning',
  });
}
