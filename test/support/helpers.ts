/**
 * Helpers shared by tests in several folders: catching the coded error a call throws or rejects
 * with, waiting for a condition, and a sandbox with one vendor on a manual clock. (No test file
 * lives here; jest's testMatch only picks up `*.test.ts`.)
 */
import { ManualClock } from '../../src/core/clock';
import { ApiAccessError } from '../../src/core/errors';
import { Sandbox } from '../../src/sandbox/server';
import type { EmulatorFactory } from '../../src/sandbox/types';

/** Runs `fn` and returns the ApiAccessError it throws; anything else thrown is rethrown, and no throw fails the test. */
export function thrown(fn: () => unknown): ApiAccessError {
  try {
    fn();
  } catch (err) {
    if (ApiAccessError.isApiAccessError(err)) return err;
    throw err;
  }
  throw new Error('expected an ApiAccessError to be thrown');
}

/**
 * Settles `work` (a promise, or a function returning one) and returns the ApiAccessError it rejects
 * with; any other rejection is rethrown, and a resolution fails the test.
 */
export async function rejection(work: Promise<unknown> | (() => Promise<unknown>)): Promise<ApiAccessError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (ApiAccessError.isApiAccessError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection with an ApiAccessError');
}

/**
 * Waits (real time, at most `timeoutMs`) until `condition()` holds. It yields once before the first
 * look, so promise jobs already queued (a limiter's grant, a resolved sleep) have run.
 */
export async function waitUntil(condition: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  do {
    if (Date.now() > deadline) throw new Error(`waitUntil: ${what} not met in time`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  } while (!condition());
}

/** The start of every manual clock the vendor tests use: 2026-01-01T00:00:00Z. */
export const TEST_EPOCH = Date.UTC(2026, 0, 1);

/** Starts a sandbox with only `emulator`, on `clock` (a manual clock at {@link TEST_EPOCH} by default). */
export async function startVendorSandbox(emulator: EmulatorFactory, clock = new ManualClock(TEST_EPOCH)): Promise<{ sandbox: Sandbox; clock: ManualClock }> {
  const sandbox = await Sandbox.start({ emulators: [emulator], clock });
  return { sandbox, clock };
}

/** Asserts that none of `secrets` shows in the error: its message, stack, enumerable fields or `body`. */
export function expectNoSecret(err: ApiAccessError, ...secrets: string[]): void {
  const visible = [err.message, String(err.stack), JSON.stringify(err), JSON.stringify((err as { body?: unknown }).body ?? null)];
  for (const s of secrets) for (const text of visible) expect(text).not.toContain(s);
}

/** Matches what an apiaccess construct throws for bad props, for `expect(fn).toThrow(VALIDATION_ERROR)`. */
export const VALIDATION_ERROR = expect.objectContaining({ name: 'ApiAccessValidationError', code: 'APIACCESS_INVALID_ARGUMENT' });
