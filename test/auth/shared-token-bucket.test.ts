/** The token-bucket shape of the cross-process rate budget (issue 10: Threat Jammer's per-minute bucket, refilled every second). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedTokenBucketLimiter } from '../../src/auth/shared-budget';
import { ManualClock } from '../../src/core/clock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiaccess-bucket-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bucket = (clock: ManualClock, keyId = 'key-hash-1'): SharedTokenBucketLimiter =>
  new SharedTokenBucketLimiter({ vendor: 'threatjammer', keyId, capacity: 10, refillPerTick: 1, tickMs: 1000, marginMs: 250, dir, clock });

/** Settles `promises`, advancing the clock by `stepMs` whenever something sleeps on it. */
async function drain(clock: ManualClock, promises: Promise<unknown>[], stepMs = 50): Promise<void> {
  let done = false;
  const all = Promise.all(promises).finally(() => (done = true));
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (!done && clock.pending > 0) clock.advance(stepMs);
  }
  await all;
}

describe('issue 10: SharedTokenBucketLimiter', () => {
  it('two limiters on one file (two processes) share 10 calls, then one per whole tick after the margin', async () => {
    const clock = new ManualClock(0);
    const a = bucket(clock);
    const b = bucket(clock);
    const granted: number[] = [];
    const take = (l: SharedTokenBucketLimiter) => l.acquire().then(() => granted.push(clock.now()));
    await drain(clock, [...Array.from({ length: 8 }, () => take(a)), ...Array.from({ length: 7 }, () => take(b))]);
    expect(granted).toHaveLength(15);
    expect(granted.filter((t) => t === 0)).toHaveLength(10);
    // Ticks run from 250 ms (the margin): call 11 at 1250 ms, then one per second.
    const later = granted.filter((t) => t > 0).sort((x, y) => x - y);
    expect(later[0]).toBeGreaterThanOrEqual(1250);
    for (let i = 1; i < later.length; i++) expect(later[i]! - later[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(later.at(-1)).toBeLessThan(6_000);
  });

  it('refills to full after capacity ticks, so a new burst of 10 passes at once', async () => {
    const clock = new ManualClock(0);
    const a = bucket(clock);
    await drain(
      clock,
      Array.from({ length: 10 }, () => a.acquire()),
    );
    expect(a.used()).toBe(10);
    clock.advance(10_250);
    expect(a.used()).toBe(0);
    const t = clock.now();
    await drain(
      clock,
      Array.from({ length: 10 }, () => a.acquire()),
    );
    expect(clock.now()).toBe(t);
  });

  it('keys its file by a hash: different keys do not share, and the key ID is not in the name or the file', async () => {
    const clock = new ManualClock(0);
    const one = bucket(clock, 'key-hash-1');
    const other = bucket(clock, 'key-hash-2');
    expect(one.file).not.toBe(other.file);
    await drain(
      clock,
      Array.from({ length: 10 }, () => one.acquire()),
    );
    expect(other.used()).toBe(0);
    expect(one.file).not.toContain('key-hash-1');
    expect(readFileSync(one.file, 'utf8')).not.toContain('key-hash-1');
  });

  it('refuses nonsense options with APIACCESS_INVALID_ARGUMENT', () => {
    const clock = new ManualClock(0);
    expect(() => new SharedTokenBucketLimiter({ vendor: 'threatjammer', keyId: 'k', capacity: 0, refillPerTick: 1, dir, clock })).toThrow(
      expect.objectContaining({ code: 'APIACCESS_INVALID_ARGUMENT' }),
    );
    expect(() => new SharedTokenBucketLimiter({ vendor: 'threatjammer', keyId: 'k', capacity: 10, refillPerTick: 0, dir, clock })).toThrow(
      expect.objectContaining({ code: 'APIACCESS_INVALID_ARGUMENT' }),
    );
  });
});
