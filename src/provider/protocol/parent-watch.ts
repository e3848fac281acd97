/**
 * Watching the parent process. go-plugin servers get no signal when Terraform dies (a SIGKILLed
 * terraform cannot send Shutdown), and stdin is no signal either: plugins inherit Terraform's
 * stdin, often /dev/null in CI. So the provider polls whether the process that started it is still
 * there, and shuts down when it is not.
 */
import { readFileSync } from 'node:fs';

/** Default poll interval: well inside the 2 s go-plugin allows a plugin to exit. */
export const PARENT_POLL_MS = 250;

let procReadable = true;

/**
 * The current parent PID from /proc/self/stat (Linux), or undefined where there is no /proc.
 * `process.ppid` cannot tell: Node reads it once (at its first use), so it never changes on
 * reparenting.
 */
function currentParentPid(): number | undefined {
  if (!procReadable) return undefined;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    procReadable = false;
    return undefined;
  }
}

/**
 * True while the process `parentPid` that started us is alive and still our parent: false once we
 * were reparented (Linux), or once signal 0 to it fails with ESRCH (any POSIX system).
 */
export function isParentAlive(parentPid: number): boolean {
  const current = currentParentPid();
  if (current !== undefined && current !== parentPid) return false;
  try {
    process.kill(parentPid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, we may just not signal it.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Options of {@link watchParent}. */
export interface WatchParentOptions {
  /** Called once, when the parent is gone. */
  readonly onGone: () => void;
  /** @default process.ppid (as read at its first use in this process) */
  readonly parentPid?: number;
  /** @default PARENT_POLL_MS */
  readonly intervalMs?: number;
  /** @default isParentAlive */
  readonly isAlive?: (parentPid: number) => boolean;
}

/**
 * Polls the parent on an unref'd timer (it never keeps the process alive by itself) and calls
 * `onGone` once when it has died. Returns a function that stops watching. A process whose parent
 * is already init (PID 0 or 1) has no parent to watch.
 */
export function watchParent(options: WatchParentOptions): () => void {
  const parentPid = options.parentPid ?? process.ppid;
  if (parentPid <= 1) return () => undefined;
  const isAlive = options.isAlive ?? isParentAlive;
  const timer = setInterval(() => {
    if (isAlive(parentPid)) return;
    clearInterval(timer);
    options.onGone();
  }, options.intervalMs ?? PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
