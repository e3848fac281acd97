/**
 * Issue 6: the provider exits within 2 s when Terraform dies. A small intermediate process plays
 * Terraform: it starts the real binary (lib/bin, build first) with the environment Terraform sets,
 * stdin from /dev/null as in CI and stdout/stderr piped to itself, reads the handshake line and
 * reports the provider's PID; the test then SIGKILLs it, so no Shutdown is ever sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerCertificate } from '../../../src/provider/protocol/cert';
import { BIN, MAGIC_COOKIE, parseHandshake } from '../_plugin';

/** The intermediate parent: starts the provider and prints `{ pid, handshake }` once it is up. */
const FAKE_TERRAFORM = `
const { spawn } = require('node:child_process');
const provider = spawn(process.execPath, [process.argv[1]], { env: JSON.parse(process.argv[2]), stdio: ['inherit', 'pipe', 'pipe'] });
let out = '';
provider.stdout.setEncoding('utf8');
provider.stdout.on('data', (chunk) => {
  out += chunk;
  if (out.includes('\\n')) process.stdout.write(JSON.stringify({ pid: provider.pid, handshake: out.split('\\n')[0] }) + '\\n');
});
provider.stderr.resume();
setInterval(() => undefined, 1000);
`;

let socketDir: string;
let fakeTerraform: ChildProcess | undefined;
let providerPid: number | undefined;

/** True while `pid` runs (an exited process that nobody reaped yet, state Z, counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (!running(pid)) return true;
    await new Promise((res) => setTimeout(res, 20));
  }
  return !running(pid);
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -p tsconfig.json first`);
});

beforeEach(() => {
  socketDir = mkdtempSync(join(tmpdir(), 'apiaccess-parent-'));
});

afterEach(() => {
  if (fakeTerraform && fakeTerraform.exitCode === null && fakeTerraform.signalCode === null) fakeTerraform.kill('SIGKILL');
  if (providerPid !== undefined && running(providerPid)) process.kill(providerPid, 'SIGKILL');
  fakeTerraform = undefined;
  providerPid = undefined;
  rmSync(socketDir, { recursive: true, force: true });
});

describe('issue 6: the provider outlives no SIGKILLed terraform', () => {
  it('exits within 2 s of its parent being SIGKILLed and removes its unix socket', async () => {
    // GIVEN a provider started as Terraform starts it (AutoMTLS, debug logging to a dead pipe later)
    const env = {
      PATH: process.env.PATH,
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '5,6',
      PLUGIN_CLIENT_CERT: generateServerCertificate().certPem,
      PLUGIN_UNIX_SOCKET_DIR: socketDir,
      TF_LOG_PROVIDER: 'debug',
    };
    const parent = spawn(process.execPath, ['-e', FAKE_TERRAFORM, BIN, JSON.stringify(env)], { stdio: ['ignore', 'pipe', 'inherit'] });
    fakeTerraform = parent;
    const started = await new Promise<{ pid: number; handshake: string }>((res, rej) => {
      let out = '';
      parent.stdout!.setEncoding('utf8');
      parent.stdout!.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) res(JSON.parse(out.split('\n')[0]!) as { pid: number; handshake: string });
      });
      parent.on('exit', (code) => rej(new Error(`the fake terraform exited (${code}) before the provider was up`)));
    });
    providerPid = started.pid;
    const socket = parseHandshake(started.handshake).address;
    expect(statSync(socket).isSocket()).toBe(true);
    expect(running(started.pid)).toBe(true);

    // WHEN terraform dies without a word
    const killedAt = performance.now();
    parent.kill('SIGKILL');

    // THEN the provider notices and is gone within 2 s, its socket with it
    expect(await goneWithin(started.pid, 2000)).toBe(true);
    console.log(`provider gone ${(performance.now() - killedAt).toFixed(0)} ms after its parent was SIGKILLed`);
    expect(existsSync(socket)).toBe(false);
  });
});
