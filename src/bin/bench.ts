#!/usr/bin/env node
/**
 * `npm run bench`: start-up and plan timings, each reported next to a baseline measured in the
 * same run (ratios, not absolute numbers, are what carries from one machine to another).
 *
 * 1. Provider cold start: launch → handshake line on stdout, against `node -e 0` (bare Node start).
 * 2. The provider's TLS certificate (made at every start), against generating its P-256 key alone.
 * 3. `terraform plan` of examples/signicat after apply (4 resources, refresh included), against
 *    `terraform plan` of a stack with only the provider block (Terraform's own fixed cost).
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateServerCertificate } from '../provider/protocol/cert';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../provider/protocol/handshake';
import { Sandbox } from '../sandbox/server';
import { vendorEmulators } from '../vendors/registry';
import { ApiAccessProviderMirror } from '../constructs/mirror';
import { runNode, runTerraform, terraformEnv } from './terraform-cli';

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
    const out = join(work, 'cdktf.out');
    await runNode([join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out], join(root, 'examples', 'signicat'), env);
    const stack = join(out, 'stacks', 'signicat');
    const empty = join(work, 'empty');
    ApiAccessProviderMirror.write(empty);
    writeFileSync(
      join(empty, 'main.tf.json'),
      JSON.stringify({
        terraform: { required_providers: { apiaccess: { source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' } } },
        provider: { apiaccess: {} },
      }),
    );
    for (const dir of [stack, empty]) await runTerraform(['init', '-input=false'], dir, env);
    const applied = await runTerraform(['apply', '-auto-approve', '-input=false'], stack, env);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
    const planEmpty: number[] = [];
    const planExample: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) {
      planEmpty.push((await runTerraform(['plan', '-input=false'], empty, env)).ms);
      planExample.push((await runTerraform(['plan', '-detailed-exitcode', '-input=false'], stack, env)).ms);
    }
    process.stdout.write(`${line('terraform plan, provider block only (baseline)', median(planEmpty), median(planEmpty))}\n`);
    process.stdout.write(`${line('terraform plan, examples/signicat (4 resources)', median(planExample), median(planEmpty))}\n`);
    await runTerraform(['destroy', '-auto-approve', '-input=false'], stack, env);
  } finally {
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
