/** Issue 6: the parent watch (unit level). The real-process test is parent-death.test.ts. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isParentAlive, PARENT_POLL_MS, watchParent } from '../../../src/provider/protocol/parent-watch';

const LIB_WATCH = resolve(__dirname, '..', '..', '..', 'lib', 'provider', 'protocol', 'parent-watch.js');

describe('issue 6: watchParent', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('polls every intervalMs and calls onGone once, when the parent is no longer alive, then stops polling', () => {
    let alive = true;
    const isAlive = jest.fn(() => alive);
    const onGone = jest.fn();
    watchParent({ parentPid: 4242, intervalMs: 100, isAlive, onGone });

    jest.advanceTimersByTime(350);
    expect(isAlive).toHaveBeenCalledTimes(3);
    expect(isAlive).toHaveBeenCalledWith(4242);
    expect(onGone).not.toHaveBeenCalled();

    alive = false;
    jest.advanceTimersByTime(100);
    expect(onGone).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1000);
    expect(isAlive).toHaveBeenCalledTimes(4);
    expect(onGone).toHaveBeenCalledTimes(1);
  });

  it('polls every PARENT_POLL_MS (250 ms) by default, and stop() ends the watch', () => {
    expect(PARENT_POLL_MS).toBe(250);
    const isAlive = jest.fn(() => false);
    const onGone = jest.fn();
    const stop = watchParent({ parentPid: 4242, isAlive, onGone });
    jest.advanceTimersByTime(249);
    expect(isAlive).not.toHaveBeenCalled();
    stop();
    jest.advanceTimersByTime(1000);
    expect(isAlive).not.toHaveBeenCalled();
    expect(onGone).not.toHaveBeenCalled();
  });

  it('does not watch a process whose parent is init (PID 0 or 1)', () => {
    const isAlive = jest.fn(() => false);
    const onGone = jest.fn();
    watchParent({ parentPid: 1, isAlive, onGone });
    jest.advanceTimersByTime(5000);
    expect(isAlive).not.toHaveBeenCalled();
    expect(onGone).not.toHaveBeenCalled();
  });
});

describe('issue 6: isParentAlive', () => {
  it('is true for our own living parent', () => {
    expect(isParentAlive(process.ppid)).toBe(true);
  });

  it('is false for a process that has exited, and for a live process that is not our parent', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((res) => child.on('exit', res));
    expect(isParentAlive(pid)).toBe(false);
    expect(isParentAlive(process.pid)).toBe(false); // alive, but not our parent (read from /proc/self/stat on Linux)
  });

  it('the poll timer is unref’d: a process with only the watch running exits by itself', () => {
    if (!existsSync(LIB_WATCH)) throw new Error(`${LIB_WATCH} is missing: run npx tsc -p tsconfig.json first`);
    const script = `require(${JSON.stringify(LIB_WATCH)}).watchParent({ onGone: () => process.exit(3) }); console.log('watching');`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 })).toBe('watching\n');
  });
});
