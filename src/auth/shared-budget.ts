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
 *
 * Two shapes: {@link SharedWindowLimiter} (at most N calls in any window) and
 * {@link SharedTokenBucketLimiter} (a bucket of N calls refilled in whole ticks, for vendors that
 * document a refill rate, e.g. Threat Jammer's per-minute bucket refilled every second).
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
const BUDGET_DIR_ENV = 'APIACCESS_BUDGET_DIR';

/** The folder of the shared budgets. */
export function budgetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[BUDGET_DIR_ENV] || join(tmpdir(), 'apiaccess-budgets');
}

/** What both shared budgets are given. */
interface SharedBudgetOptions {
  /** Vendor name, e.g. `carbonblack` (in the file name and the log line). */
  readonly vendor: string;
  /** The credential's public ID or a one-way hash of it (hashed into the file name; never a secret). */
  readonly keyId: string;
  /** @default budgetDir() */
  readonly dir?: string;
  /** @default systemClock */
  readonly clock?: IClock;
  /** Where the wait is explained. @default silentLogger */
  readonly logger?: Logger;
  /** Words for the log line, e.g. `25 calls per 5 minutes`. */
  readonly describe?: string;
}

/**
 * The file, its lock and the wait both shared budgets have: a call takes the lock, asks the budget
 * ({@link SharedFileBudget.tryTake}) and, when it does not fit yet, logs why and sleeps.
 */
abstract class SharedFileBudget<O extends SharedBudgetOptions> implements ILimiter {
  /** The budget's file. */
  readonly file: string;
  protected readonly clock: IClock;
  private readonly logger: Logger;

  /** `shape` names the kind of budget in the file name's hash (none for the window), so two kinds for one key never share a file. */
  protected constructor(
    protected readonly options: O,
    shape?: string,
  ) {
    assertArgument(/^[a-z0-9-]+$/.test(options.vendor), '"vendor"', 'must be a lowercase name.');
    const named = [options.vendor, ...(shape === undefined ? [] : [shape]), options.keyId].join('\n');
    const hash = createHash('sha256').update(named).digest('hex').slice(0, 32);
    this.file = join(options.dir ?? budgetDir(), `${options.vendor}-${hash}.json`);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = withFileLock(this.file, () => this.tryTake(this.clock.now()));
      if (wait <= 0) return;
      this.logger.info(
        `${this.options.vendor}: waiting ${Math.ceil(wait / 1000)} s for the rate budget (${this.options.describe ?? this.numbers()}), shared by every provider process on this machine`,
        { vendor: this.options.vendor, wait_ms: wait, budget_file: this.file },
      );
      await this.clock.sleep(wait, signal);
    }
  }

  /** Counts a call at `now` when it fits; else returns how long until one does. Under the lock. */
  protected abstract tryTake(now: number): number;

  /** The budget's numbers in words, for the log line when no `describe` is given. */
  protected abstract numbers(): string;

  /** The file's JSON object, or undefined when there is none (missing, unreadable or not JSON). */
  protected readDoc(): { readonly [field: string]: unknown } | undefined {
    try {
      const doc: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return typeof doc === 'object' && doc !== null ? (doc as { readonly [field: string]: unknown }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Replaces the file with `doc` (written aside, then renamed), readable by this user only. */
  protected writeDoc(doc: object): void {
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ vendor: this.options.vendor, ...doc }), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** Options of {@link SharedWindowLimiter}. */
export interface SharedWindowLimiterOptions extends SharedBudgetOptions {
  /** Calls allowed in any window of `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** Called under the lock with the time each call was counted at (progress, tests). */
  readonly onGrant?: (atMs: number) => void;
}

/** An exact sliding window over a file: at most `limit` calls in any `windowMs`, across processes. */
export class SharedWindowLimiter extends SharedFileBudget<SharedWindowLimiterOptions> {
  constructor(options: SharedWindowLimiterOptions) {
    assertArgument(Number.isInteger(options.limit) && options.limit > 0, '"limit"', 'must be a positive integer.');
    assertArgument(Number.isFinite(options.windowMs) && options.windowMs > 0, '"windowMs"', 'must be a positive number.');
    super(options);
  }

  /** Calls counted in the window ending at `now` (tests, progress). */
  used(now = this.clock.now()): number {
    return this.read().filter((t) => t > now - this.options.windowMs).length;
  }

  protected tryTake(now: number): number {
    const stamps = this.read()
      .filter((t) => t > now - this.options.windowMs)
      .sort((a, b) => a - b);
    if (stamps.length < this.options.limit) {
      stamps.push(now);
      this.writeDoc({ limit: this.options.limit, windowMs: this.options.windowMs, calls: stamps });
      this.options.onGrant?.(now);
      return 0;
    }
    return stamps[stamps.length - this.options.limit]! + this.options.windowMs - now;
  }

  protected numbers(): string {
    return `${this.options.limit} calls per ${this.options.windowMs / 1000} s`;
  }

  private read(): number[] {
    const calls = this.readDoc()?.calls;
    return Array.isArray(calls) ? calls.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  }
}

/** Options of {@link SharedTokenBucketLimiter}. */
export interface SharedTokenBucketLimiterOptions extends SharedBudgetOptions {
  /** Calls the bucket holds. */
  readonly capacity: number;
  /** Calls given back per tick. */
  readonly refillPerTick: number;
  /** Length of a tick. @default 1000 */
  readonly tickMs?: number;
  /**
   * Ticks start this long after the call that began to drain a full bucket, so that the
   * vendor (which starts counting when that call arrives) has always refilled before we do.
   * @default 250
   */
  readonly marginMs?: number;
}

interface BucketDoc {
  /** Calls taken and not yet given back. */
  used: number;
  /** Start of the current tick while the bucket is not full; null when it is. */
  origin: number | null;
}

/**
 * A token bucket over a file, across processes: `capacity` calls, `refillPerTick` of them given
 * back at the end of every whole tick counted from the call that began to drain the full bucket
 * (plus `marginMs`). Never ahead of a vendor bucket with the same numbers that starts its ticks
 * when that call arrives.
 */
export class SharedTokenBucketLimiter extends SharedFileBudget<SharedTokenBucketLimiterOptions> {
  private readonly tickMs: number;
  private readonly marginMs: number;

  constructor(options: SharedTokenBucketLimiterOptions) {
    assertArgument(Number.isInteger(options.capacity) && options.capacity > 0, '"capacity"', 'must be a positive integer.');
    assertArgument(Number.isInteger(options.refillPerTick) && options.refillPerTick > 0, '"refillPerTick"', 'must be a positive integer.');
    assertArgument(options.tickMs === undefined || (Number.isFinite(options.tickMs) && options.tickMs > 0), '"tickMs"', 'must be a positive number.');
    assertArgument(options.marginMs === undefined || (Number.isFinite(options.marginMs) && options.marginMs >= 0), '"marginMs"', 'must be 0 or more.');
    super(options, 'bucket');
    this.tickMs = options.tickMs ?? 1000;
    this.marginMs = options.marginMs ?? 250;
  }

  /** Calls taken and not yet given back at `now` (tests, progress). */
  used(now = this.clock.now()): number {
    return this.settle(this.read(), now).used;
  }

  /** Gives back the ticks that ended by `now`. */
  private settle(doc: BucketDoc, now: number): BucketDoc {
    if (doc.origin === null || now < doc.origin + this.tickMs) return doc;
    const ticks = Math.floor((now - doc.origin) / this.tickMs);
    const used = Math.max(0, doc.used - ticks * this.options.refillPerTick);
    return used === 0 ? { used: 0, origin: null } : { used, origin: doc.origin + ticks * this.tickMs };
  }

  protected tryTake(now: number): number {
    const doc = this.settle(this.read(), now);
    if (doc.used < this.options.capacity) {
      this.writeDoc({ capacity: this.options.capacity, used: doc.used + 1, origin: doc.origin ?? now + this.marginMs });
      return 0;
    }
    return Math.max(1, (doc.origin ?? now) + this.tickMs - now);
  }

  protected numbers(): string {
    return `${this.options.capacity} calls, ${this.options.refillPerTick} back every ${this.tickMs / 1000} s`;
  }

  private read(): BucketDoc {
    const doc = this.readDoc() ?? {};
    const used = typeof doc.used === 'number' && Number.isInteger(doc.used) && doc.used >= 0 ? doc.used : 0;
    const origin = typeof doc.origin === 'number' && Number.isFinite(doc.origin) ? doc.origin : null;
    return used === 0 ? { used: 0, origin: null } : { used, origin: origin ?? this.clock.now() };
  }
}
