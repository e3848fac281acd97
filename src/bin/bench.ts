#!/usr/bin/env node
/**
 * `npm run bench`: start-up and plan timings, each reported next to a baseline measured in the
 * same run (ratios, not absolute numbers, are what carries from one machine to another).
 *
 * 1. Provider cold start: launch → handshake line on stdout, against `node -e 0` (bare Node start).
 * 2. The provider's TLS certificate (made at every start), against generating its P-256 key alone.
 * 3. Plans and applies (`./bench/plan-cost`): examples/signicat vs the provider block alone; plan of
 *    500 in-sync clients vs 500 `terraform_data`; marginal cost per resource vs a Go provider;
 *    vendor calls per refresh of 200; apply of 100 creates vs 100 `terraform_data`.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateServerCertificate } from '../provider/protocol/cert';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../provider/protocol/handshake';
import { Sandbox } from '../sandbox/server';
import { vendorEmulators } from '../vendors/registry';
import { benchPlansAndApplies, type Figure } from './bench/plan-cost';
import { terraformEnv } from './terraform-cli';

const root = resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeUntilFirstStdout(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', reject);
    child.stdout.once('data', () => {
      resolvePromise(Number(process.hrtime.bigint() - started) / 1e6);
      child.kill('SIGTERM');
    });
  });
}

/** Milliseconds `fn` takes. */
function timed(fn: () => unknown): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const cert = generateServerCertificate();
  const providerEnv = { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_CLIENT_CERT: cert.certPem };
  const bare: number[] = [];
  const provider: number[] = [];
  const bundled: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(await timeUntilFirstStdout(['-e', 'process.stdout.write("x")'], process.env));
    provider.push(await timeUntilFirstStdout([join(root, 'lib', 'bin', 'terraform-provider-apiaccess.js')], providerEnv));
    bundled.push(await timeUntilFirstStdout([join(root, 'lib', 'bundle', 'provider.bundle.js')], providerEnv));
  }
  const line = (label: string, ms: number, base: number): string => `${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / base).toFixed(2)}×`;
  process.stdout.write(`apiaccess bench (median of ${RUNS}, interleaved)\n`);
  process.stdout.write(`${line('node start (baseline)', median(bare), median(bare))}\n`);
  process.stdout.write(`${line('provider launch → handshake (lib/, unbundled)', median(provider), median(bare))}\n`);
  process.stdout.write(`${line('provider launch → handshake (the mirror bundle)', median(bundled), median(bare))}\n`);

  const keyOnly: number[] = [];
  const certificate: number[] = [];
  for (let i = 0; i < 20; i++) {
    keyOnly.push(timed(() => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })));
    certificate.push(timed(() => generateServerCertificate()));
  }
  const fine = (label: string, ms: number, base: number): string => `${label.padEnd(44)} ${ms.toFixed(2).padStart(6)} ms   ${(ms / base).toFixed(2)}×`;
  process.stdout.write(`${fine('P-256 key pair (baseline, median of 20)', median(keyOnly), median(keyOnly))}\n`);
  process.stdout.write(`${fine('provider certificate (median of 20)', median(certificate), median(keyOnly))}\n`);

  const sandbox = await Sandbox.start({ emulators: vendorEmulators() });
  const work = mkdtempSync(join(tmpdir(), 'apiaccess-bench-'));
  try {
    const env = terraformEnv(work, { APIACCESS_SANDBOX_URL: sandbox.baseUrl });
    const num = (ms: number): string => ms.toFixed(Math.abs(ms) < 100 ? 2 : 0).padStart(8);
    const print = (label: string, f: Figure, base: Figure): void =>
      void process.stdout.write(
        `${label.padEnd(52)} ${num(f.ms)} ms ${(f.ms / base.ms).toFixed(2).padStart(6)}×   cpu ${num(f.cpuMs)} ms ${(f.cpuMs / base.cpuMs).toFixed(2).padStart(6)}×\n`,
      );
    const note = (text: string): void => void process.stdout.write(`  ${text}\n`);
    await benchPlansAndApplies({ root, sandbox, work, env, print, note });
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
