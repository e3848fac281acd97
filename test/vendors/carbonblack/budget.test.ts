/**
 * Issue 9: the managing key's budget in the provider — one file per hash of the API ID (never the
 * secret) in APIACCESS_BUDGET_DIR, shared by every limiter of that key; on the sandbox clock a
 * wait moves the sandbox clock to the moment the budget allows the next call.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedWindowLimiter } from '../../../src/auth/shared-budget';
import { silentLogger } from '../../../src/core/log';
import { Sandbox } from '../../../src/sandbox/server';
import { managingKeyLimiter } from '../../../src/vendors/carbonblack/budget';
import { createCarbonBlackEmulator, SEED_KEY_ADMIN_KEY } from '../../../src/vendors/carbonblack/emulator';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cb-budget-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('issue 9: managingKeyLimiter', () => {
  it('is a SharedWindowLimiter of 25 calls per 5 min + 1 s in APIACCESS_BUDGET_DIR, its file named by a hash of the API ID', async () => {
    const a = managingKeyLimiter(SEED_KEY_ADMIN_KEY.apiId, silentLogger, 'https://defense.example', { APIACCESS_BUDGET_DIR: dir });
    const b = managingKeyLimiter(SEED_KEY_ADMIN_KEY.apiId, silentLogger, 'https://defense.example', { APIACCESS_BUDGET_DIR: dir });
    expect(a).toBeInstanceOf(SharedWindowLimiter);
    await a.acquire();
    await b.acquire();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^carbonblack-[0-9a-f]{32}\.json$/);
    expect(files[0]).not.toContain(SEED_KEY_ADMIN_KEY.apiId);
    const doc = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { limit: number; windowMs: number; calls: number[] };
    expect(doc).toMatchObject({ limit: 25, windowMs: 301_000 });
    expect(doc.calls).toHaveLength(2);
    expect(JSON.stringify(doc)).not.toContain(SEED_KEY_ADMIN_KEY.apiSecretKey);
  });

  it('on the sandbox clock, the 26th call moves the sandbox clock one window on instead of sleeping it', async () => {
    const sandbox = await Sandbox.start({ emulators: [createCarbonBlackEmulator] });
    try {
      const env = { APIACCESS_BUDGET_DIR: dir, APIACCESS_BUDGET_CLOCK: 'sandbox', APIACCESS_SANDBOX_URL: sandbox.baseUrl };
      // A client of a real vendor keeps real time even with the switch on.
      expect(managingKeyLimiter(SEED_KEY_ADMIN_KEY.apiId, silentLogger, 'https://defense.example', env)).toBeInstanceOf(SharedWindowLimiter);
      const limiter = managingKeyLimiter(SEED_KEY_ADMIN_KEY.apiId, silentLogger, `${sandbox.baseUrl}/carbonblack`, env);
      const start = sandbox.clock.now();
      for (let i = 0; i < 25; i++) await limiter.acquire();
      expect(sandbox.clock.now() - start).toBeLessThan(301_000);
      await limiter.acquire();
      const moved = sandbox.clock.now() - start;
      expect(moved).toBeGreaterThanOrEqual(301_000);
      expect(moved).toBeLessThan(301_000 * 1.1);
    } finally {
      await sandbox.close();
    }
  });
});
