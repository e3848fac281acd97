/**
 * issue 13: `apiaccess drift` on real plans. One stack carries one out-of-band change per kind the
 * Signicat sandbox can make (a client edited, a client deleted, a secret past its rotation_period
 * by the sandbox clock) and a clean stack next to it: exit 2 with every drift reported, valid
 * JSON and JUnit; the clean stack alone exits 0; a broken stack exits 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../../src/bin/terraform-cli';
import { expectExit, plainStack, ROOT, startHarness, type Harness } from './_harness';

jest.setTimeout(150_000);

const HOUR = 3600_000;
const CLIENT = 'apiaccess_signicat_api_client';
const SECRET = 'apiaccess_signicat_client_secret';

interface Client {
  id: string;
  name: string;
  permissions: string[];
  accessTokenLifetime: number;
}

describe('issue 13: apiaccess drift', () => {
  let h: Harness;
  let drifted: string;
  let clean: string;
  const drift = (cwd: string, ...args: string[]) => runNode([join(ROOT, 'lib', 'bin', 'apiaccess.js'), 'drift', ...args], cwd, h.env);

  beforeAll(async () => {
    h = await startHarness('drift');
    drifted = plainStack(h, 'cdktf.out/stacks/drifted', {
      [CLIENT]: {
        edited: { name: 'drift-edited', permissions: ['authentication:read'] },
        deleted: { name: 'drift-deleted' },
      },
      [SECRET]: { rotating: { client_id: '${apiaccess_signicat_api_client.edited.id}', name: 'rot', rotation_period: '1h' } },
    });
    clean = plainStack(h, 'cdktf.out/stacks/clean', { [CLIENT]: { kept: { name: 'drift-clean' } } });
    // Created two hours ago by the sandbox's clock, so the 1h rotation_period has passed.
    h.sandbox.clock.advance(-2 * HOUR);
    for (const dir of [drifted, clean]) {
      expectExit(await h.tf(dir, 'init'), 0);
      expectExit(await h.tf(dir, 'apply', '-auto-approve'), 0);
    }
    h.sandbox.clock.advance(2 * HOUR);
    const doc = h.sandbox.snapshot() as { signicat: { clients: Client[] } };
    const edited = doc.signicat.clients.find((c) => c.name === 'drift-edited')!;
    edited.permissions = [...edited.permissions, 'sessions:write'];
    edited.accessTokenLifetime = 1200;
    doc.signicat.clients = doc.signicat.clients.filter((c) => c.name !== 'drift-deleted');
    h.sandbox.restore(doc);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reports every out-of-band change with exit 2, and writes valid JSON and JUnit', async () => {
    const json = join(h.work, 'drift.json');
    const junit = join(h.work, 'drift.xml');
    const run = expectExit(await drift(h.work, '--json', json, '--junit', junit), 2);
    const lines = run.stdout.trim().split('\n');
    // Discovered stacks in name order, one progress line each.
    expect(lines.filter((l) => /^\[\d\/2\]/.test(l))).toEqual([
      expect.stringMatching(/^\[1\/2\] clean: 1 credentials, in sync/),
      expect.stringMatching(/^\[2\/2\] drifted: 3 credentials, 3 drifted/),
    ]);
    const driftLines = lines.filter((l) => l.startsWith('  DRIFT '));
    expect(driftLines.sort()).toEqual([
      `  DRIFT signicat ${CLIENT} "drift-deleted" [${CLIENT}.deleted]: deleted out of band`,
      `  DRIFT signicat ${CLIENT} "drift-edited" [${CLIENT}.edited]: edited out of band (access_token_lifetime, permissions)`,
      `  DRIFT signicat ${SECRET} "rot" [${SECRET}.rotating]: rotation due`,
    ]);

    const report = JSON.parse(readFileSync(json, 'utf8')) as { exitCode: number; drifted: number; drift: { kind: string; vendor: string; address: string }[] };
    expect(report.exitCode).toBe(2);
    expect(report.drift.map((d) => [d.address, d.vendor, d.kind]).sort()).toEqual([
      [`${CLIENT}.deleted`, 'signicat', 'deleted'],
      [`${CLIENT}.edited`, 'signicat', 'edited'],
      [`${SECRET}.rotating`, 'signicat', 'rotation_due'],
    ]);

    const xml = readFileSync(junit, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    // Minimal well-formedness: every opened element is closed in order.
    const stack: string[] = [];
    for (const [, close, name, selfClose] of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([a-z]+)\b[^>]*?(\/?)>/g)) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClose) stack.push(name);
    }
    expect(stack).toEqual([]);
    expect(xml).toMatch(/<testsuites name="apiaccess drift" tests="4" failures="3" errors="0">/);
    expect(xml.match(/<failure type="(\w+)"/g)?.sort()).toEqual(['<failure type="deleted"', '<failure type="edited"', '<failure type="rotation_due"']);
    // No secret value anywhere in the outputs (state holds the secret; only names leave the plan).
    const state = JSON.parse(readFileSync(join(drifted, 'terraform.tfstate'), 'utf8')) as {
      resources: { type: string; instances: { attributes: { value: string } }[] }[];
    };
    const secret = state.resources.find((r) => r.type === SECRET)!.instances[0].attributes.value;
    expect(secret.length).toBeGreaterThan(10);
    for (const text of [run.stdout, run.stderr, xml, readFileSync(json, 'utf8')]) expect(text).not.toContain(secret);
  });

  it('exits 0 on a clean stack named on the command line', async () => {
    const run = expectExit(await drift(ROOT, clean), 0);
    expect(run.stdout).toMatch(/^\[1\/1\] clean: 1 credentials, in sync/);
    expect(run.stdout).toContain('apiaccess drift: no drift');
  });

  it('exits 1 when a stack cannot be planned', async () => {
    const broken = join(h.work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'main.tf.json'), '{"resource": {"apiaccess_signicat_api_client": {"x": {"nme": "typo"}}}}');
    const run = expectExit(await drift(h.work, broken), 1);
    expect(run.stdout).toMatch(/\[1\/1\] broken: 0 credentials, error: terraform (init|plan) failed/);
  });
});
