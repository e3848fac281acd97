/**
 * issue 6: the create journal and the createOnce helper. Processes are simulated by giving each
 * journal its own identity and telling it which identities are alive.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../src/core/clock';
import { APIACCESS_CREATE_UNCONFIRMED, APIACCESS_NETWORK_ERROR, APIACCESS_VENDOR_REJECTED, APIACCESS_CONFLICT, ApiAccessError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { CreateJournal, locateCreateJournal, processAlive, processStart, type ProcessId } from '../../../src/provider/framework/create-journal';
import { createOnce } from '../../../src/provider/framework/create-once';

let dir: string;
let file: string;
const A: ProcessId = { pid: 1_000_001, start: 1 };
const B: ProcessId = { pid: 1_000_002, start: 2 };
let alive: Set<number>;
const journal = (self: ProcessId, now = (): number => 1_000_000): CreateJournal => new CreateJournal(file, { self, now, alive: (p) => alive.has(p.pid) });
const create = { vendor: 'signicat', type: 'apiaccess_signicat_api_client', fingerprint: 'fp-worker', what: '"worker"', keyed: true };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiaccess-journal-'));
  file = join(dir, '.terraform', 'apiaccess-creates.jsonl');
  alive = new Set([A.pid, B.pid]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CreateJournal', () => {
  it('writes the intent (with its key) to disk before begin returns', () => {
    const { entry, adopted } = journal(A).begin(create);
    expect(adopted).toBe(false);
    expect(entry.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(file, 'utf8')).toContain(entry.key);
  });

  it('an interrupted create of a dead process is taken over by the next create of the same type and configuration', () => {
    const first = journal(A).begin(create).entry;
    alive.delete(A.pid);
    const b = journal(B);
    expect(b.begin({ ...create, fingerprint: 'fp-other' }).adopted).toBe(false);
    const taken = b.begin(create);
    expect(taken).toMatchObject({ adopted: true, entry: { key: first.key } });
    // Taken once only: a second identical create gets a key of its own.
    const second = b.begin(create);
    expect(second.adopted).toBe(false);
    expect(second.entry.key).not.toBe(first.key);
  });

  it('never takes over the create of a live process (two same-name resources in one apply)', () => {
    journal(A).begin(create);
    expect(journal(B).begin(create).adopted).toBe(false);
  });

  it('never takes over a create the vendor refused, one that is settled, one without key support, or one past the retention', () => {
    const a = journal(A);
    const refused = a.begin(create).entry;
    a.failed(refused.key);
    const settled = a.begin(create).entry;
    a.answered(settled.key, 'client-1');
    a.settle(create.type, 'client-1');
    a.begin({ ...create, keyed: false });
    alive.delete(A.pid);
    expect(journal(B).begin(create).adopted).toBe(false);
    // Past the 23 h adoption window the vendor may have forgotten the key.
    const old = journal(A, () => 0);
    alive.add(A.pid);
    old.begin({ ...create, fingerprint: 'fp-old' });
    alive.delete(A.pid);
    expect(journal(B, () => 24 * 3600_000).begin({ ...create, fingerprint: 'fp-old' }).adopted).toBe(false);
  });

  it('lists as unplaced: unanswered creates of dead processes, answered ones whose process did not end normally, and orphans', () => {
    const a = journal(A);
    const unanswered = a.begin({ ...create, what: '"unanswered"' }).entry;
    const delivered = a.begin({ ...create, what: '"delivered"' }).entry;
    a.answered(delivered.key, 'id-delivered');
    a.deliverOwn();
    const a2 = journal({ pid: A.pid, start: 99 });
    const undelivered = a2.begin({ ...create, what: '"undelivered"' }).entry;
    a2.answered(undelivered.key, 'id-undelivered');
    // While A lives, nothing of it is unplaced for B.
    expect(journal(B).unplaced()).toEqual([]);
    alive.delete(A.pid);
    const listed = journal(B)
      .unplaced()
      .map((x) => x.what)
      .sort();
    expect(listed).toEqual(['"unanswered"', '"undelivered"']);
    expect(unanswered.key).toBeDefined();
    // Once a state shows it, it is done.
    const b = journal(B);
    b.settle(create.type, 'id-undelivered');
    b.flush(); // settles are written together, shortly after (see the settle batching test)
    expect(
      journal(B)
        .unplaced()
        .map((x) => x.what),
    ).toEqual(['"unanswered"']);
  });

  it('issue 6: an answer delivered to a terraform that ended normally is never taken over (it is in state; it may since be deleted)', () => {
    const a = journal(A);
    const e = a.begin(create).entry;
    a.answered(e.key, 'client-delivered');
    a.deliverOwn();
    alive.delete(A.pid);
    const b = journal(B);
    expect(b.adoptable(b.all()[0]!)).toBe(false);
    expect(b.begin(create)).toMatchObject({ adopted: false });
  });

  it('an orphan (created, state not returned) is listed even though its process is alive, and can still be taken over', () => {
    const a = journal(A);
    const e = a.begin(create).entry;
    a.answered(e.key, 'id-1');
    a.orphaned(e.key);
    expect(
      journal(B)
        .unplaced()
        .map((x) => x.id),
    ).toEqual(['id-1']);
    alive.delete(A.pid);
    expect(journal(B).begin(create)).toMatchObject({ adopted: true, entry: { key: e.key } });
  });

  it('skips a line cut short by a crash and keeps working', () => {
    const e = journal(A).begin(create).entry;
    appendFileSync(file, '{"e":"answer","key":"');
    alive.delete(A.pid);
    expect(journal(B).begin(create).entry.key).toBe(e.key);
  });

  it('an event written after a line a crash cut short starts a line of its own, so later readers see it', () => {
    journal(A).begin(create);
    appendFileSync(file, '{"e":"answer","key":"'); // A died mid-write
    alive.delete(A.pid);
    const b = journal(B);
    const mine = b.begin({ ...create, fingerprint: 'fp-other' }).entry; // a new intent, after the cut line
    b.answered(mine.key, 'id-b');
    alive.delete(B.pid); // B dies before terraform ended normally

    const C: ProcessId = { pid: 1_000_003, start: 3 };
    alive.add(C.pid);
    const seen = journal(C).unplaced();

    expect(seen.map((x) => x.key)).toContain(mine.key);
    expect(seen.find((x) => x.key === mine.key)).toMatchObject({ id: 'id-b', fingerprint: 'fp-other' });
    expect(readFileSync(file, 'utf8').split('\n')).toContain('{"e":"answer","key":"');
  });

  it('compacts a long file to the entries still worth keeping', () => {
    const a = journal(A);
    let last = '';
    for (let i = 0; i < 450; i++) {
      const e = a.begin({ ...create, fingerprint: `fp-${i}` }).entry;
      a.answered(e.key, `id-${i}`);
      if (i < 449) a.settle(create.type, `id-${i}`);
      last = e.key;
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(450);
    alive.delete(A.pid);
    expect(
      journal(B)
        .unplaced()
        .map((x) => x.key),
    ).toEqual([last]);
  });

  it('issue 12: many entries still worth keeping cost a compaction now and then, not one per event', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const renames = jest.spyOn(fs, 'renameSync');
    const a = journal(A);
    const keys: string[] = [];
    // An apply of 600 creates: 1,200 events, none settled yet (each is kept by every compaction).
    for (let i = 0; i < 600; i++) {
      const e = a.begin({ ...create, fingerprint: `fp-${i}` }).entry;
      a.answered(e.key, `id-${i}`);
      keys.push(e.key);
    }
    const compactions = renames.mock.calls.filter(([, to]) => to === file).length;
    renames.mockRestore();
    // Once at 400 lines, then at twice what that kept: at 1,200 lines that is 2, where compacting
    // at every event past 400 lines was 800 rewrites of the whole file.
    expect(compactions).toBe(2);
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeLessThanOrEqual(1_200);
    alive.delete(A.pid);
    expect(
      journal(B)
        .unplaced()
        .map((x) => x.key)
        .sort(),
    ).toEqual([...keys].sort());
  });

  it('issue 12: a refresh that settles many creates writes them together, with one flush to disk, before anything else it writes', async () => {
    const a = journal(A);
    // 100 creates: with their settles the file stays short of a compaction (which flushes too).
    for (let i = 0; i < 100; i++) a.answered(a.begin({ ...create, fingerprint: `fp-${i}` }).entry.key, `id-${i}`);
    a.deliverOwn();
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const fsyncs = jest.spyOn(fs, 'fsyncSync');
    const b = journal(B);
    for (let i = 0; i < 100; i++) b.settle(create.type, `id-${i}`);
    expect(b.all().filter((x) => x.settled)).toHaveLength(100); // at once in this process
    expect(fsyncs).not.toHaveBeenCalled();
    // Written shortly after, by themselves: one write, one flush.
    await new Promise((res) => setTimeout(res, 60));
    expect(fsyncs).toHaveBeenCalledTimes(1);
    expect(
      journal(B)
        .all()
        .filter((x) => x.settled),
    ).toHaveLength(100);
    // Any other event of the process goes after the settles still pending, in the same write.
    b.settle(create.type, 'id-x'); // no such entry: nothing pending
    const c = journal(B);
    const more = c.begin({ ...create, fingerprint: 'fp-more' }).entry;
    c.answered(more.key, 'id-more');
    c.settle(create.type, 'id-more');
    c.orphaned(more.key);
    fsyncs.mockRestore();
    const tail = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(-2)
      .map((l) => JSON.parse(l) as { e: string });
    expect(tail.map((x) => x.e)).toEqual(['settle', 'orphan']);
    // And Shutdown (deliverOwn) writes what is pending.
    const d = journal(B);
    const last = d.begin({ ...create, fingerprint: 'fp-last' }).entry;
    d.answered(last.key, 'id-last');
    d.settle(create.type, 'id-last');
    d.deliverOwn();
    expect(
      journal(A)
        .all()
        .find((x) => x.key === last.key)?.settled,
    ).toBe(true);
  });

  it('issue 12: settle finds entries answered after its first lookup, every entry with that type and ID, and nothing else', () => {
    // In memory first: no file read in between to rebuild anything.
    const m = new CreateJournal(null, { self: A, now: () => 1_000_000, alive: (p) => alive.has(p.pid) });
    m.settle(create.type, 'id-1'); // builds the lookup while nothing is answered
    const one = m.begin({ ...create, fingerprint: 'fp-1' }).entry;
    m.answered(one.key, 'id-1');
    const twin = m.begin({ ...create, fingerprint: 'fp-2' }).entry;
    m.settle(create.type, 'id-1');
    m.answered(twin.key, 'id-1');
    const other = m.begin({ ...create, type: 'apiaccess_other', fingerprint: 'fp-3' }).entry;
    m.answered(other.key, 'id-1');
    m.settle(create.type, 'id-1');
    const settledIn = (j: CreateJournal): string[] =>
      j
        .all()
        .filter((x) => x.settled)
        .map((x) => x.key);
    expect(settledIn(m).sort()).toEqual([one.key, twin.key].sort());
    // On disk: another process's answer, read from the file at the next begin, is found too.
    const a = journal(A);
    const settled = (): string[] => settledIn(a);
    const b = journal(B);
    const theirs = b.begin({ ...create, fingerprint: 'fp-4' }).entry;
    b.answered(theirs.key, 'id-4');
    a.settle(create.type, 'id-4');
    expect(settled()).not.toContain(theirs.key);
    a.begin({ ...create, fingerprint: 'fp-5' });
    a.settle(create.type, 'id-4');
    expect(settled()).toContain(theirs.key);
  });

  it('breaks a lock left by a dead process', () => {
    mkdirSync(join(dir, '.terraform'));
    appendFileSync(`${file}.lock`, JSON.stringify({ pid: 1_000_003, start: 3 }));
    expect(journal(A).begin(create).adopted).toBe(false);
  });

  it('lives below TF_DATA_DIR or .terraform of the working directory, or where APIACCESS_CREATE_JOURNAL says', () => {
    expect(locateCreateJournal({}, '/stack')).toBe('/stack/.terraform/apiaccess-creates.jsonl');
    expect(locateCreateJournal({ TF_DATA_DIR: 'data' }, '/stack')).toBe('/stack/data/apiaccess-creates.jsonl');
    expect(locateCreateJournal({ APIACCESS_CREATE_JOURNAL: '/j/x.jsonl' }, '/stack')).toBe('/j/x.jsonl');
  });

  it('tells this process alive and a made-up one dead', () => {
    const self = { pid: process.pid, start: processStart(process.pid) };
    expect(self.start).toBeGreaterThan(0);
    expect(processAlive(self)).toBe(true);
    expect(processAlive({ pid: process.pid, start: self.start + 1 })).toBe(false);
    expect(processAlive({ pid: 2 ** 22 + 17, start: 0 })).toBe(false);
  });
});

describe('createOnce', () => {
  const lost = (): ApiAccessError => new ApiAccessError(APIACCESS_NETWORK_ERROR, 'socket hang up');
  const env = (clock: ManualClock): { clock: ManualClock; logger: typeof silentLogger; signal: AbortSignal } => ({
    clock,
    logger: silentLogger,
    signal: new AbortController().signal,
  });
  const settle = async <T>(clock: ManualClock, p: Promise<T>): Promise<T> => {
    let done = false;
    const out = p.finally(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(10_000);
    }
    return out;
  };

  it('sends again under the same key after lost answers and records the ID', async () => {
    const j = journal(A);
    const keys: string[] = [];
    const clock = new ManualClock(0);
    const out = await settle(
      clock,
      createOnce(
        j,
        create,
        { what: '"worker"' },
        async (key) => {
          keys.push(key);
          if (keys.length < 3) throw lost();
          return { id: 'client-7' };
        },
        (c) => c.id,
        env(clock),
      ),
    );
    expect(out.created).toEqual({ id: 'client-7' });
    expect(new Set(keys).size).toBe(1);
    expect(keys).toHaveLength(3);
    expect(j.all()).toEqual([expect.objectContaining({ key: keys[0], id: 'client-7' })]);
  });

  it('a refusal is final: recorded as failed, never sent again', async () => {
    const j = journal(A);
    let sends = 0;
    const refused = new ApiAccessError(APIACCESS_VENDOR_REJECTED, 'name taken');
    await expect(
      createOnce(
        j,
        create,
        { what: '"worker"' },
        async () => {
          sends += 1;
          throw refused;
        },
        () => 'x',
        env(new ManualClock(0)),
      ),
    ).rejects.toBe(refused);
    expect(sends).toBe(1);
    expect(j.all()[0]!.failed).toBe(true);
  });

  it('waits out a 409 "still in flight" (Retry-After) and then gets the answer', async () => {
    const clock = new ManualClock(0);
    let sends = 0;
    const out = await settle(
      clock,
      createOnce(
        journal(A),
        create,
        { what: '"worker"' },
        async () => {
          sends += 1;
          if (sends === 1) throw new ApiAccessError(APIACCESS_CONFLICT, 'in flight', { status: 409, retryAfterSeconds: 1 });
          return { id: 'c' };
        },
        (c) => c.id,
        env(clock),
      ),
    );
    expect(out.created.id).toBe('c');
    expect(sends).toBe(2);
  });

  it('for a vendor without idempotency keys, a lost answer is never sent again: it fails naming what may exist', async () => {
    const j = journal(A);
    let sends = 0;
    const err = await createOnce(
      j,
      create,
      { what: '"worker"', keyed: false },
      async () => {
        sends += 1;
        throw lost();
      },
      () => 'x',
      env(new ManualClock(0)),
    ).catch((e: ApiAccessError) => e);
    expect(sends).toBe(1);
    expect(err).toMatchObject({ code: APIACCESS_CREATE_UNCONFIRMED });
    expect((err as ApiAccessError).message).toContain('apiaccess_signicat_api_client "worker"');
    alive.delete(A.pid);
    expect(
      journal(B)
        .unplaced()
        .map((x) => x.what),
    ).toEqual(['"worker"']);
  });

  it('gives up after a few resends with APIACCESS_CREATE_UNCONFIRMED; the entry stays for the next apply to take over', async () => {
    const clock = new ManualClock(0);
    const j = journal(A);
    let sends = 0;
    const err = await settle(
      clock,
      createOnce(
        j,
        create,
        { what: '"worker"' },
        async () => {
          sends += 1;
          throw lost();
        },
        () => 'x',
        env(clock),
      ).catch((e: ApiAccessError) => e),
    );
    expect(err).toMatchObject({ code: APIACCESS_CREATE_UNCONFIRMED });
    expect(sends).toBe(5);
    alive.delete(A.pid);
    expect(journal(B).begin(create).adopted).toBe(true);
  });
});
