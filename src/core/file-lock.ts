/**
 * A lock file shared by the provider processes of one machine (terraform starts several per
 * command, and the commands of a pipeline follow each other): `<path>.lock`, created exclusively,
 * holding the owner's PID. A lock whose owner died is broken; one held longer than the timeout is
 * broken too, so a stuck process can never wedge every later run. Used for the create journal and
 * the shared rate budgets; each critical section is a few file operations long.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const LOCK_TIMEOUT_MS = 5_000;
const SPIN = new Int32Array(new SharedArrayBuffer(4));

function ownerAlive(lock: string): boolean {
  try {
    const { pid } = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: unknown };
    if (typeof pid !== 'number') return true;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // Unreadable (being written) counts as alive; ESRCH means the owner is gone.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Runs `fn` while holding `<path>.lock`. */
export function withFileLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid }));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!ownerAlive(lock) || Date.now() > deadline) {
        try {
          unlinkSync(lock);
        } catch {
          // Someone else broke it first.
        }
        continue;
      }
      Atomics.wait(SPIN, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      // Already gone.
    }
  }
}
