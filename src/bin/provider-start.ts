#!/usr/bin/env node
/**
 * The provider mirror's entry point (bundled to `lib/bundle/provider.bundle.js`): listens and
 * writes the handshake line (`./provider-launch.ts`), then runs the bundled provider next to it,
 * `provider.main.js`, through V8's code cache (`src/core/code-cache.ts`), so that only the first
 * start on a machine compiles it.
 */
import { join } from 'node:path';
import { codeCacheDir, runWithCodeCache } from '../core/code-cache';
import { launchProvider, type ProviderMain } from './provider-launch';

launchProvider(() => runWithCodeCache(join(__dirname, 'provider.main.js'), codeCacheDir(process.env)).exports as ProviderMain);
