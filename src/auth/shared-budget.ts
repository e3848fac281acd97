/**
 * A rate budget shared by every process on the machine: Terraform starts several provider
 * processes per command (validate, plan, apply; one per alias) and a pipeline runs commands one
 * after another, but a vendor's limit (Carbon Black: 25 calls / 5 min per key) counts them all.
 * Each admitted call is a timestamp in a small JSON file, read and written under a lock file:
 *
 *   `$APIACCESS_BUDGET_DIR` (default `<os tmpdir>/apiaccess-budgets`)/`<vendor>-<sha256(vendor, key id)>.json`
 *
 * The file name holds a hash of the credential's *ID* (never a secret), so two keys never share a
 * budget and nothing in the folder identifies a credential. A waiting call logs at INFO how long
 * and why, so `TF_LOG=info` explains a slow apply.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type IClock } from '../core/clock';
import { assertArgument } from '../core/errors';
import { withFileLock } from '../core/file-lock';
import { silentLogger, type Logger } from '../core/log';
import type { ILimiter } from './rate-limit';

/** Environment variable naming the folder of the shared budgets. */
export const BUDGET_DIR_ENV = 'APIACCESS_BUDGET_DIR';

/** The folder of the shared budgets. */
export function budgetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[BUDGET_DIR_ENV] || join(tmpdir(), 'apiaccess-budgets');
}

/** Options of {@link SharedWindowLimiter}. */
export interface SharedWindowLimiterOptions {
  /** Vendor name, e.g. `carbonblack` (in the file name and the log line). */
  readonly vendor: string;
  /** The credential's public ID (hashed into the file name; never a secret). */
  readonly keyId: string;
  /** Calls allowed in any window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** @default budgetDir() */
  readonly dir?: string;
  /** @default systemClock */
  readonly clock?: IClock;
  /** Where the wait is explained. @default silentLogger */
  readonly logger?: Logger;
  /** Words for the log line, e.g. `25 calls per 5 minutes`. */
  readonly describe?: string;
  /** Called under the lock with the time each call was counted at (progress, tests). */
  readonly onGrant?: (atMs: number) => void;
}

/** An exact sliding window over a file: at most `limit` calls in any `windowMs`, across processes. */
export class SharedWindowLimiter implements ILimiter {
  /** The budget's file. */
  readonly file: string;
  private readonly clock: IClock;
  private readonly logger: Logger;

  constructor(private readonly options: SharedWindowLimiterOptions) {
    assertArgument(Number.isInteger(options.limit) && options.limit > 0, '"limit"', 'must be a positive integer.');
    assertArgument(Number.isFinite(options.windowMs) && options.windowMs > 0, '"windowMs"', 'must be a positive number.');
    assertArgument(/^[a-z0-9-]+$/.test(options.vendor), '"vendor"', 'must be a lowercase name.');
    const hash = createHash('sha256').update(`${options.vendor}\n${options.keyId}`).digest('hex').slice(0, 32);
    this.file = join(options.dir ?? budgetDir(), `${options.vendor}-${hash}.json`);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = withFileLock(this.file, () => this.tryTake(this.clock.now()));
      if (wait <= 0) return;
      this.logger.info(
        `${this.options.vendor}: waiting ${Math.ceil(wait / 1000)} s for the rate budget (${this.options.describe ?? `${this.options.limit} calls per ${this.options.windowMs / 1000} s`}), shared by every provider process on this machine`,
        { vendor: this.options.vendor, wait_ms: wait, budget_file: this.file },
      );
      await this.clock.sleep(wait, signal);
    }
  }

  /** Calls counted in the window ending at `now` (tests, progress). */
  used(now = this.clock.now()): number {
    return this.read().filter((t) => t > now - this.options.windowMs).length;
  }

  /** Counts a call at `now` when it fits; else returns how long until one does. Under the lock. */
  private tryTake(now: number): number {
    const stamps = this.read()
      .filter((t) => t > now - this.options.windowMs)
      .sort((a, b) => a - b);
    if (stamps.length < this.options.limit) {
      stamps.push(now);
      this.write(stamps);
      this.options.onGrant?.(now);
      return 0;
    }
    return stamps[stamps.length - this.options.limit]! + this.options.windowMs - now;
  }

  private read(): number[] {
    try {
      const doc = JSON.parse(readFileSync(this.file, 'utf8')) as { calls?: unknown };
      return Array.isArray(doc.calls) ? doc.calls.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
    } catch {
      return [];
    }
  }

  private write(stamps: readonly number[]): void {
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ vendor: this.options.vendor, limit: this.options.limit, windowMs: this.options.windowMs, calls: stamps }), {
      mode: 0o600,
    });
    renameSync(tmp, this.file);
  }
}
