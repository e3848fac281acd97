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

/**
 * True while process `pid` runs. A zombie (exited, not yet reaped: after terraform is killed its
 * providers are reparented, and not every init reaps promptly) counts as ended, though signal 0
 * still reaches it.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc entry (or no /proc at all): ask the kernel.
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerAlive(lock: string): boolean {
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(lock, 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return true; // being written
  }
  return typeof pid !== 'number' || isProcessRunning(pid);
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
