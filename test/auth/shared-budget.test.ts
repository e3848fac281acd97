/** The rate budget shared across provider processes (issue 9's "one budget for the whole run"). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { budgetDir, SharedWindowLimiter } from '../../src/auth/shared-budget';
import { ManualClock } from '../../src/core/clock';
import { createLogger, type Logger } from '../../src/core/log';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiaccess-budget-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const limiter = (clock: ManualClock, keyId = 'SBXKEYS004', logger?: Logger): SharedWindowLimiter =>
  new SharedWindowLimiter({
    vendor: 'carbonblack',
    keyId,
    limit: 25,
    windowMs: 301_000,
    dir,
    clock,
    ...(logger ? { logger } : {}),
  });

async function drain(clock: ManualClock, promises: Promise<unknown>[]): Promise<void> {
  let done = false;
  const all = Promise.all(promises).finally(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (!done) clock.advance(1_000);
  }
  await all;
}

describe('SharedWindowLimiter', () => {
  it('two limiters on one file (two processes) share 25 calls per window: the 26th waits for the window', async () => {
    const clock = new ManualClock(0);
    const a = limiter(clock);
    const b = limiter(clock);
    const granted: number[] = [];
    const take = (l: SharedWindowLimiter) => l.acquire().then(() => granted.push(clock.now()));
    await drain(clock, [...Array.from({ length: 15 }, () => take(a)), ...Array.from({ length: 15 }, () => take(b))]);
    expect(granted.filter((t) => t === 0)).toHaveLength(25);
    expect(granted.filter((t) => t > 0).every((t) => t >= 301_000)).toBe(true);
    expect(a.used()).toBeLessThanOrEqual(25);
  });

  it('keys its file by a hash of the key ID: different keys do not share, and no ID or secret is in the name', async () => {
    const clock = new ManualClock(0);
    const one = limiter(clock, 'SBXKEYS004');
    const other = limiter(clock, 'SBXAPI0001');
    expect(one.file).not.toBe(other.file);
    expect(one.file).not.toContain('SBXKEYS004');
    await drain(
      clock,
      Array.from({ length: 25 }, () => one.acquire()),
    );
    await other.acquire();
    expect(clock.now()).toBe(0);
    expect(readdirSync(dir).sort()).toHaveLength(2);
  });

  it('says at INFO how long it waits and why', async () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const l = limiter(clock, 'SBXKEYS004', createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)['@message']) }));
    await drain(
      clock,
      Array.from({ length: 26 }, () => l.acquire()),
    );
    expect(lines[0]).toMatch(/^carbonblack: waiting 301 s for the rate budget \(25 calls per 301 s\)/);
  });

  it('an aborted waiter takes nothing', async () => {
    const clock = new ManualClock(0);
    const l = limiter(clock);
    await drain(
      clock,
      Array.from({ length: 25 }, () => l.acquire()),
    );
    const ac = new AbortController();
    const waiting = l.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'APIACCESS_ABORTED' });
    expect(JSON.parse(readFileSync(l.file, 'utf8')).calls).toHaveLength(25);
  });

  it('defaults to a folder below the OS temp dir, or APIACCESS_BUDGET_DIR', () => {
    expect(budgetDir({})).toBe(join(tmpdir(), 'apiaccess-budgets'));
    expect(budgetDir({ APIACCESS_BUDGET_DIR: '/var/x' })).toBe('/var/x');
  });

  it('holds across real processes: 3 processes × 6 calls at 5 per second never put more than 5 in any second', async () => {
    const lib = resolve(__dirname, '..', '..', 'lib', 'auth', 'shared-budget.js');
    const script = `const { SharedWindowLimiter } = require(${JSON.stringify(lib)});
      const out = [];
      const l = new SharedWindowLimiter({ vendor: 'threatjammer', keyId: 'k', limit: 5, windowMs: 1000, dir: ${JSON.stringify(dir)}, onGrant: (at) => out.push(at) });
      (async () => { for (let i = 0; i < 6; i++) await l.acquire(); console.log(JSON.stringify(out)); })();`;
    const run = (): Promise<number[]> => promisify(execFile)(process.execPath, ['-e', script]).then((r) => JSON.parse(r.stdout) as number[]);
    const all = (await Promise.all([run(), run(), run()])).flat().sort((x, y) => x - y);
    expect(all).toHaveLength(18);
    // The times the budget counted each call at (under its lock): never 6 in one window.
    for (let i = 5; i < all.length; i++) expect(all[i]! - all[i - 5]!).toBeGreaterThanOrEqual(1000);
    // Without sharing, the 18 calls would have needed under 2 s; shared, the last waits for the third window.
    expect(all[17]! - all[0]!).toBeGreaterThanOrEqual(3000);
  });
});
