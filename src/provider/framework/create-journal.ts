/**
 * The create journal: how a create stays identified by the call that made it, across crashes.
 *
 * Before a create request leaves the process, its idempotency key is written here and flushed to
 * disk (`intent`). The vendor remembers the key for 24 h (PROPOSED `Idempotency-Key` semantics,
 * see the vendor READMEs): sending it again replays the first answer instead of creating a second
 * object. So when the provider or terraform is killed mid-apply, the next apply finds the key of
 * the interrupted create here and sends it again: the object that call made is adopted, with its
 * once-visible secret, and nothing is made twice. Nothing is ever adopted by name or time.
 *
 * One JSON event per line, appended under a lock file (several provider processes of one command
 * share the file): `intent`, `claim` (a later process took over an interrupted create), `answer`
 * (the vendor's ID), `fail` (the vendor refused: nothing exists), `orphan` (created, but the
 * state could not be returned), `deliver` (this process ended normally: terraform got its answers)
 * and `settle` (the object was seen in Terraform state: the entry is done). Lines cut short by a
 * crash are skipped. Settled and failed entries and entries past the retention are dropped when
 * the file is compacted: once it has twice the lines the last compaction left (and at least
 * {@link COMPACT_AFTER_LINES}), so that many entries still worth keeping (an apply of many creates,
 * creates whose state was lost) cost a rewrite now and then, not one per event.
 *
 * Where: `$APIACCESS_CREATE_JOURNAL`, else `<TF_DATA_DIR or .terraform>/apiaccess-creates.jsonl`
 * below the working directory terraform runs the provider in, so it is per stack folder.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isProcessRunning, withFileLock } from '../../core/file-lock';

/** Environment variable that overrides where the journal lives. */
const CREATE_JOURNAL_ENV = 'APIACCESS_CREATE_JOURNAL';
/** File name below the Terraform data directory. */
const CREATE_JOURNAL_FILE = 'apiaccess-creates.jsonl';
/** How long the sandbox vendors remember an idempotency key. */
const VENDOR_KEY_RETENTION_MS = 24 * 3600_000;
/** Adopt only keys the vendor surely still remembers: the retention less an hour's margin. */
const ADOPT_WITHIN_MS = VENDOR_KEY_RETENTION_MS - 3600_000;
/** Entries are kept (and warned about) this long, then dropped at compaction. */
const KEEP_MS = 7 * 24 * 3600_000;
const COMPACT_AFTER_LINES = 400;
/** How long settles wait to be written together. */
const SETTLE_WRITE_DELAY_MS = 20;

/** A process, told apart from a later one with the same PID by its start time. */
export interface ProcessId {
  readonly pid: number;
  /** Start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22); 0 where unknown. */
  readonly start: number;
}

/** One create, as the journal knows it. */
export interface CreateEntry {
  readonly key: string;
  readonly vendor: string;
  readonly type: string;
  /** Hash of the type and the planned configuration: which later create may take this one over. */
  readonly fingerprint: string;
  /** A person's name for the object, e.g. `name "worker"`. */
  readonly what: string;
  /** When the create was first sent (ms). */
  readonly at: number;
  /** Whether the vendor honours idempotency keys for this type (only then is an entry adopted). */
  readonly keyed: boolean;
  owner: ProcessId;
  /** The vendor's ID once the answer arrived. */
  id?: string;
  delivered?: boolean;
  orphan?: boolean;
  settled?: boolean;
  failed?: boolean;
}

type Event =
  | { e: 'intent'; key: string; vendor: string; type: string; fp: string; what: string; at: number; keyed: boolean; pid: number; start: number }
  | { e: 'claim'; key: string; pid: number; start: number }
  | { e: 'answer'; key: string; id: string }
  | { e: 'fail'; key: string }
  | { e: 'orphan'; key: string }
  | { e: 'deliver'; pid: number; start: number }
  | { e: 'settle'; key: string };

/** Where the journal of a provider process started in `cwd` lives. */
export function locateCreateJournal(env: NodeJS.ProcessEnv, cwd: string): string {
  const explicit = env[CREATE_JOURNAL_ENV];
  if (explicit) return resolve(cwd, explicit);
  return join(resolve(cwd, env.TF_DATA_DIR || '.terraform'), CREATE_JOURNAL_FILE);
}

/** This process's start time (ticks since boot), 0 where /proc is not there. */
export function processStart(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]) || 0;
  } catch {
    return 0;
  }
}

/** True when the process is still the one that wrote the entry (a zombie counts as ended). */
export function processAlive(p: ProcessId): boolean {
  return isProcessRunning(p.pid) && (p.start === 0 || processStart(p.pid) === p.start);
}

/** What {@link CreateJournal.begin} decided. */
export interface CreateBegun {
  readonly entry: CreateEntry;
  /** True when an interrupted run's create was taken over (its key is sent again). */
  readonly adopted: boolean;
}

/** The journal file of one working directory. A null path keeps it in memory (no crash safety). */
export class CreateJournal {
  readonly self: ProcessId;
  private readonly entries = new Map<string, CreateEntry>();
  private byTypeAndId: Map<string, CreateEntry[]> | undefined;
  private lines = 0;
  /** Compact when the file has more lines than this (twice what the last compaction kept). */
  private compactAt = COMPACT_AFTER_LINES;
  /** Settles applied in memory, not yet written (see {@link settle}). */
  private readonly pending: Event[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  private readonly now: () => number;
  private readonly alive: (p: ProcessId) => boolean;

  constructor(
    readonly path: string | null,
    options: { readonly now?: () => number; readonly alive?: (p: ProcessId) => boolean; readonly self?: ProcessId } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.alive = options.alive ?? processAlive;
    this.self = options.self ?? { pid: process.pid, start: processStart(process.pid) };
    if (path) this.load();
  }

  /**
   * Starts a create: takes over an interrupted run's unsettled create of the same type and
   * configuration when there is one (its owner is dead, the vendor still remembers its key),
   * else writes a new intent with a fresh key. The entry is on disk before this returns.
   */
  begin(input: { vendor: string; type: string; fingerprint: string; what: string; keyed: boolean }): CreateBegun {
    return this.locked(() => {
      this.writeEvents([]); // the pending settles, before the file is read back (which would forget them)
      this.load();
      const now = this.now();
      if (input.keyed) {
        const candidate = [...this.entries.values()]
          .filter((x) => this.adoptable(x, now) && x.type === input.type && x.fingerprint === input.fingerprint)
          .sort((a, b) => a.at - b.at)[0];
        if (candidate) {
          candidate.owner = this.self;
          candidate.delivered = false;
          this.write({ e: 'claim', key: candidate.key, pid: this.self.pid, start: this.self.start });
          return { entry: candidate, adopted: true };
        }
      }
      const entry: CreateEntry = { key: randomUUID(), ...input, at: now, owner: this.self };
      this.entries.set(entry.key, entry);
      this.write({
        e: 'intent',
        key: entry.key,
        vendor: entry.vendor,
        type: entry.type,
        fp: entry.fingerprint,
        what: entry.what,
        at: now,
        keyed: entry.keyed,
        ...this.self,
      });
      return { entry, adopted: false };
    });
  }

  answered(key: string, id: string): void {
    this.event({ e: 'answer', key, id });
  }

  failed(key: string): void {
    this.event({ e: 'fail', key });
  }

  /** The object exists but its state could not be handed to terraform: report it until settled. */
  orphaned(key: string): void {
    this.event({ e: 'orphan', key });
  }

  /** Terraform holds `id` of `type` in its state: the create that made it is done. */
  settle(type: string, id: string): void {
    // Called for every object of every refresh and plan: a lookup, not a scan of the journal.
    const hit = this.answeredIndex().get(`${type}\n${id}`);
    if (hit === undefined) return;
    for (const x of hit) {
      if (x.settled) continue;
      const ev: Event = { e: 'settle', key: x.key };
      this.apply(ev);
      if (this.path) this.pending.push(ev);
    }
    // A refresh settles an apply's objects one read after the other: written together, shortly
    // after (and before any other event of this process, and at Shutdown), with one flush to
    // disk, not one per object. One lost to a crash is settled again by the next refresh.
    if (this.pending.length > 0 && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), SETTLE_WRITE_DELAY_MS);
      this.flushTimer.unref();
    }
  }

  /** Writes the settles not yet on disk. */
  flush(): void {
    if (this.pending.length > 0) this.locked(() => this.writeEvents([]));
  }

  /**
   * Entries with a vendor ID and not yet settled, by type and ID. Built on demand and dropped by
   * every change of the entries except a settle (which {@link settle} filters out itself).
   */
  private answeredIndex(): Map<string, CreateEntry[]> {
    if (this.byTypeAndId === undefined) {
      this.byTypeAndId = new Map();
      for (const x of this.entries.values()) {
        if (x.settled || x.id === undefined) continue;
        const k = `${x.type}\n${x.id}`;
        const list = this.byTypeAndId.get(k);
        if (list) list.push(x);
        else this.byTypeAndId.set(k, [x]);
      }
    }
    return this.byTypeAndId;
  }

  /** This process ends normally: terraform received every answer it gave. */
  deliverOwn(): void {
    this.flush();
    if ([...this.entries.values()].some((x) => sameProcess(x.owner, this.self) && !x.delivered)) {
      this.event({ e: 'deliver', pid: this.self.pid, start: this.self.start });
    }
  }

  /**
   * Creates of earlier runs that are not in Terraform state as far as the provider can tell: the
   * answer never arrived; or it did, but the process died before terraform ended normally (so
   * terraform may never have written it down); or the object was made but a later step failed.
   * A plan lists them as warnings until a later apply takes them over or a state shows them.
   */
  unplaced(): CreateEntry[] {
    const now = this.now();
    return [...this.entries.values()].filter(
      (x) =>
        !x.settled &&
        !x.failed &&
        now - x.at < KEEP_MS &&
        !sameProcess(x.owner, this.self) &&
        (x.orphan || ((x.id === undefined || !x.delivered) && !this.alive(x.owner))),
    );
  }

  /** Interrupted creates a new create of `type` with `fingerprint` would take over. */
  adoptable(x: CreateEntry, now = this.now()): boolean {
    // An answer handed to a terraform that then ended normally (delivered) is in its state: taking
    // it over would replay an object that may since have been deleted at the vendor. Only answers
    // no terraform can have recorded (none arrived, or the process died) are taken over.
    const recorded = x.id !== undefined && x.delivered === true && !x.orphan;
    return x.keyed && !x.settled && !x.failed && !recorded && now - x.at < ADOPT_WITHIN_MS && !sameProcess(x.owner, this.self) && !this.alive(x.owner);
  }

  /** Every entry (tests, warnings). */
  all(): CreateEntry[] {
    return [...this.entries.values()];
  }

  private event(ev: Event): void {
    this.apply(ev);
    if (!this.path) return;
    this.locked(() => this.write(ev));
  }

  private apply(ev: Event): void {
    if (ev.e !== 'settle') this.byTypeAndId = undefined;
    if (ev.e === 'intent') {
      this.entries.set(ev.key, {
        key: ev.key,
        vendor: ev.vendor,
        type: ev.type,
        fingerprint: ev.fp,
        what: ev.what,
        at: ev.at,
        keyed: ev.keyed,
        owner: { pid: ev.pid, start: ev.start },
      });
      return;
    }
    if (ev.e === 'deliver') {
      for (const x of this.entries.values()) if (sameProcess(x.owner, ev)) x.delivered = true;
      return;
    }
    const x = this.entries.get(ev.key);
    if (!x) return;
    if (ev.e === 'claim') {
      x.owner = { pid: ev.pid, start: ev.start };
      x.delivered = false;
    } else if (ev.e === 'answer') x.id = ev.id;
    else if (ev.e === 'fail') x.failed = true;
    else if (ev.e === 'orphan') x.orphan = true;
    else x.settled = true;
  }

  /** Reads the file again (other processes append to it). */
  private load(): void {
    if (!this.path) return;
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    this.entries.clear();
    this.byTypeAndId = undefined;
    const lines = text.split('\n');
    this.lines = 0;
    for (const line of lines) {
      if (line === '') continue;
      this.lines += 1;
      try {
        this.apply(JSON.parse(line) as Event);
      } catch {
        // A line cut short by a crash.
      }
    }
  }

  /** Writes one event (after any pending settles) and flushes it; compacts a long file. Call under the lock. */
  private write(ev: Event): void {
    this.writeEvents([ev]);
  }

  /** Writes the pending settles and `events`, flushes them to disk; compacts a long file. Call under the lock. */
  private writeEvents(events: readonly Event[]): void {
    if (!this.path) return;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const all = [...this.pending.splice(0), ...events];
    if (all.length === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a+', 0o600);
    try {
      // A line a crash cut short has no newline: start on a line of our own, or this event would
      // be glued to it and lost to every later reader (they skip the line).
      const size = fstatSync(fd).size;
      const last = Buffer.alloc(1);
      const cut = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
      writeSync(fd, `${cut ? '\n' : ''}${all.map((ev) => `${JSON.stringify(ev)}\n`).join('')}`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lines += all.length;
    if (this.lines > this.compactAt) this.compact();
  }

  /** Rewrites the file with the entries still worth keeping, as intent + follow-up events. */
  private compact(): void {
    if (!this.path) return;
    const now = this.now();
    const keep = [...this.entries.values()].filter((x) => !x.settled && !x.failed && now - x.at < KEEP_MS);
    const out: Event[] = [];
    for (const x of keep) {
      out.push({ e: 'intent', key: x.key, vendor: x.vendor, type: x.type, fp: x.fingerprint, what: x.what, at: x.at, keyed: x.keyed, ...x.owner });
      if (x.id !== undefined) out.push({ e: 'answer', key: x.key, id: x.id });
      if (x.orphan) out.push({ e: 'orphan', key: x.key });
    }
    const delivered = new Map(keep.filter((x) => x.delivered).map((x) => [`${x.owner.pid}:${x.owner.start}`, x.owner]));
    for (const p of delivered.values()) out.push({ e: 'deliver', pid: p.pid, start: p.start });
    const tmp = `${this.path}.${process.pid}.tmp`;
    // On disk before it replaces the file, and the replacement too: a crash now must not leave an
    // empty journal (or the old one back) where the kept entries were.
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, out.map((ev) => `${JSON.stringify(ev)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncFolder(dirname(this.path));
    this.lines = out.length;
    this.compactAt = Math.max(COMPACT_AFTER_LINES, 2 * out.length);
    const kept = new Set(keep);
    for (const [key, x] of this.entries) if (!kept.has(x)) this.entries.delete(key);
    this.byTypeAndId = undefined;
  }

  /** Runs `fn` holding the journal's lock file (in-memory journals need none). */
  private locked<T>(fn: () => T): T {
    return this.path ? withFileLock(this.path, fn) : fn();
  }
}

/** Flushes a folder's entries (a rename in it) to disk, where the platform can open a folder. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here (e.g. Windows): the rename stands as the platform keeps it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sameProcess(a: ProcessId, b: ProcessId): boolean {
  return a.pid === b.pid && a.start === b.start;
}
