/**
 * The client side of Threat Jammer's monthly bucket. The period (30 days from the user's
 * registration) cannot be known before the vendor tells it, so this budget only acts on what the
 * vendor said: after a `GET /v1/token` (limit, used, next reset) or a monthly 429 (Retry-After), it
 * refuses calls locally, with APIACCESS_RATE_LIMITED and the seconds left, until the reset. Before
 * the first report, and after a reset, it admits every call and counts it.
 */
import type { ILimiter } from '../../auth/rate-limit';
import { systemClock, type IClock } from '../../core/clock';
import { APIACCESS_ABORTED, APIACCESS_RATE_LIMITED, ApiAccessError } from '../../core/errors';

interface Known {
  limit: number;
  used: number;
  resetsAtMs: number;
}

/** A monthly call budget fed by the vendor's own numbers; an {@link ILimiter} for the rate-limit slot. */
export class MonthlyBudget implements ILimiter {
  private known: Known | undefined;

  constructor(private readonly clock: IClock = systemClock) {}

  /** Records the vendor's report: `used` calls of `limit` counted, reset at `resetsAtMs`. */
  report(limit: number, used: number, resetsAtMs: number): void {
    this.known = { limit, used, resetsAtMs };
  }

  /** Records a monthly 429: nothing fits until `retryAfterSeconds` from now. */
  exhausted(retryAfterSeconds: number): void {
    const limit = this.known?.limit ?? 0;
    this.known = { limit, used: limit, resetsAtMs: this.clock.now() + retryAfterSeconds * 1000 };
  }

  /** Calls left in the period, or undefined when the vendor has not said (or the period ended). */
  remaining(): number | undefined {
    const known = this.current();
    return known === undefined ? undefined : Math.max(0, known.limit - known.used);
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new ApiAccessError(APIACCESS_ABORTED, 'The request was cancelled.', { cause: signal.reason }));
    const known = this.current();
    if (known === undefined) return Promise.resolve();
    if (known.used >= known.limit) {
      const seconds = Math.max(1, Math.ceil((known.resetsAtMs - this.clock.now()) / 1000));
      return Promise.reject(
        new ApiAccessError(
          APIACCESS_RATE_LIMITED,
          `The Threat Jammer monthly quota of ${known.limit} requests is used up; it is reset in ${seconds} seconds (${new Date(known.resetsAtMs).toISOString()}).`,
          { retryAfterSeconds: seconds },
        ),
      );
    }
    known.used += 1;
    return Promise.resolve();
  }

  private current(): Known | undefined {
    if (this.known !== undefined && this.clock.now() >= this.known.resetsAtMs) this.known = undefined;
    return this.known;
  }
}
