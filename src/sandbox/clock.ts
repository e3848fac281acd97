/** The sandbox clock: real time plus an offset, so tests can jump forward (or back) without waiting. */
import { type IClock, sleep } from '../core/clock';

/** Real time shifted by a settable offset. Sleeping uses real timers for the remaining real time. */
export class OffsetClock implements IClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(ms, signal);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  set(atMs: number): void {
    this.offsetMs = atMs - Date.now();
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}
