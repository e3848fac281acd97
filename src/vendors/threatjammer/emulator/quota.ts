/**
 * The two quota buckets of a Threat Jammer user, as documented:
 *
 * - Monthly bucket: periods of 30 days starting at registration; `used` starts again at 0 when a
 *   period ends. Full when `used >= limits.month`.
 * - Per-minute bucket: holds at most `limits.minute` calls. Every second (ticks counted from
 *   `refilledAt`) it gives back `limits.refillRatio` calls, and one minute after the first call
 *   that found it empty it is reset to empty. Full when `used >= limits.minute`.
 *
 * Over either → 429 with `Retry-After` (whole seconds, at least 1) until the first moment the
 * call would fit. A call rejected for quota is not counted (PROPOSED).
 */
import { MINUTE_MS, MONTH_MS, REFILL_TICK_MS, type UserRecord } from './state';

/** Brings both buckets up to `now`: rolls the monthly period, applies refill ticks and the minute reset. */
export function settle(user: UserRecord, now: number): void {
  const periods = Math.floor((now - user.registeredAt) / MONTH_MS);
  const periodStart = user.registeredAt + Math.max(0, periods) * MONTH_MS;
  if (periodStart > user.month.periodStart) user.month = { periodStart, used: 0 };

  const m = user.minute;
  if (m.resetAt !== null && now >= m.resetAt) {
    m.used = 0;
    m.resetAt = null;
  }
  if (now > m.refilledAt) {
    const ticks = Math.floor((now - m.refilledAt) / REFILL_TICK_MS);
    if (ticks > 0) {
      m.used = Math.max(0, m.used - ticks * user.limits.refillRatio);
      m.refilledAt += ticks * REFILL_TICK_MS;
    }
  }
  if (m.used === 0) m.resetAt = null;
}

/** When the current monthly period ends (ms). */
function monthRefresh(user: UserRecord): number {
  return user.month.periodStart + MONTH_MS;
}

/** Why a call does not fit, and for how long. */
export interface QuotaRefusal {
  readonly bucket: 'month' | 'minute';
  readonly retryAfterSeconds: number;
}

/** Undefined when one more call fits both buckets at `now` (call {@link settle} first). */
export function refusal(user: UserRecord, now: number): QuotaRefusal | undefined {
  if (user.month.used >= user.limits.month) {
    return { bucket: 'month', retryAfterSeconds: seconds(monthRefresh(user) - now) };
  }
  const m = user.minute;
  if (m.used >= user.limits.minute) {
    let waitMs = m.resetAt !== null ? m.resetAt - now : Number.POSITIVE_INFINITY;
    if (user.limits.refillRatio > 0) {
      const ticksNeeded = Math.ceil((m.used - user.limits.minute + 1) / user.limits.refillRatio);
      waitMs = Math.min(waitMs, m.refilledAt + ticksNeeded * REFILL_TICK_MS - now);
    }
    // A bucket of size 0 with no refill never admits anything: ask for a minute, as the reset would.
    if (!Number.isFinite(waitMs)) waitMs = MINUTE_MS;
    return { bucket: 'minute', retryAfterSeconds: seconds(waitMs) };
  }
  return undefined;
}

/** Counts one call at `now` in both buckets. */
export function consume(user: UserRecord, now: number): void {
  user.month.used += 1;
  const m = user.minute;
  if (m.used === 0) {
    m.resetAt = now + MINUTE_MS;
    // Refill ticks run from the moment the bucket starts filling.
    m.refilledAt = now;
  }
  m.used += 1;
}

/** The quota fields of `/v1/token`, all integers, times in Unix milliseconds. */
export function quotaView(user: UserRecord, now: number): Record<string, number> {
  return {
    last_month_bucket_init_value: user.limits.month,
    last_month_bucket_value: user.month.used,
    last_month_bucket_refresh: monthRefresh(user),
    last_minute_bucket_init_value: user.limits.minute,
    last_minute_bucket_refill_ratio: user.limits.refillRatio,
    last_minute_bucket_value: user.minute.used,
    // While the bucket is empty there is nothing left to reset: the bucket is fresh as of now.
    last_minute_bucket_refresh: Math.floor(user.minute.resetAt ?? now),
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
