/**
 * The Idempotency-Key contract (src/sandbox/idempotency.ts) as one suite every emulator's create
 * route runs (issue 6): replay with the same once-visible secret and no second object, 422 on
 * another body, 409 while in flight, a 5xx releases the key, expiry after 24 h of the sandbox clock,
 * 400 to a bad key — each answer in the vendor's own error shape.
 */
import { IDEMPOTENCY_RETENTION_MS, type IdempotencyStore } from '../../src/sandbox/idempotency';
import type { Sandbox } from '../../src/sandbox/server';

export interface KeyedAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

/** One create route under test. `setup` runs in a fresh sandbox per test. */
export interface CreateRouteUnderTest {
  readonly sandbox: Sandbox;
  readonly store: IdempotencyStore;
  /** Two different valid create bodies (the second makes another fingerprint). */
  readonly bodies: readonly [unknown, unknown];
  /** The status of a successful create. */
  readonly createdStatus: number;
  /** Sends the create (authenticating afresh, so it works after the clock moved). */
  send(body: unknown, key?: string): Promise<KeyedAnswer>;
  /** How many objects the route has made so far (read from the emulator's state). */
  count(): number;
  /** The once-visible secret in a create answer. */
  secretOf(answer: KeyedAnswer): string;
  /** Makes the route's next run answer 5xx (the route itself, not a fault). */
  failNextWith5xx(): void;
  /** Asserts that `answer` is the vendor's error shape for `status`. */
  expectVendorError(answer: KeyedAnswer, status: number): void;
}

export async function keyedFetch(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<KeyedAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Declares the contract suite for one create route. */
export function describeIdempotentCreate(title: string, setup: () => Promise<CreateRouteUnderTest>, teardown: () => Promise<void>): void {
  describe(`issue 6: Idempotency-Key on ${title}`, () => {
    let r: CreateRouteUnderTest;
    beforeEach(async () => {
      r = await setup();
    });
    afterEach(teardown);

    it('replays the first answer with the same secret and Idempotent-Replayed: true, and makes no second object', async () => {
      const before = r.count();
      const first = await r.send(r.bodies[0], 'retry-me-1');
      expect(first.status).toBe(r.createdStatus);
      const again = await r.send(r.bodies[0], 'retry-me-1');
      expect(again.status).toBe(r.createdStatus);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.text).toBe(first.text);
      expect(r.secretOf(again)).toBe(r.secretOf(first));
      expect(r.count()).toBe(before + 1);
    });

    it('answers 422 to the same key with another body, and nothing happens', async () => {
      await r.send(r.bodies[0], 'retry-me-2');
      const after = r.count();
      const other = await r.send(r.bodies[1], 'retry-me-2');
      expect(other.status).toBe(422);
      r.expectVendorError(other, 422);
      expect(r.count()).toBe(after);
    });

    it('answers 409 with Retry-After: 1 while the first request is in flight', async () => {
      const before = r.count();
      const hold = r.store.holdNext();
      const first = r.send(r.bodies[0], 'retry-me-3');
      await hold.reached;
      const busy = await r.send(r.bodies[0], 'retry-me-3');
      expect(busy.status).toBe(409);
      expect(busy.headers.get('retry-after')).toBe('1');
      r.expectVendorError(busy, 409);
      hold.release();
      expect((await first).status).toBe(r.createdStatus);
      expect(r.count()).toBe(before + 1);
    });

    it('a 5xx answer releases the key: the retry with it creates', async () => {
      const before = r.count();
      r.failNextWith5xx();
      const failed = await r.send(r.bodies[0], 'retry-me-4');
      expect(failed.status).toBeGreaterThanOrEqual(500);
      const retry = await r.send(r.bodies[0], 'retry-me-4');
      expect(retry.status).toBe(r.createdStatus);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(r.count()).toBe(before + 1);
    });

    it('forgets a key after 24 h of the sandbox clock', async () => {
      const before = r.count();
      const first = await r.send(r.bodies[0], 'retry-me-5');
      r.sandbox.clock.advance(IDEMPOTENCY_RETENTION_MS - 60_000);
      expect((await r.send(r.bodies[0], 'retry-me-5')).headers.get('idempotent-replayed')).toBe('true');
      r.sandbox.clock.advance(60_000);
      const fresh = await r.send(r.bodies[1], 'retry-me-5');
      expect(fresh.status).toBe(r.createdStatus);
      expect(fresh.headers.get('idempotent-replayed')).toBeNull();
      expect(r.secretOf(fresh)).not.toBe(r.secretOf(first));
      expect(r.count()).toBe(before + 2);
    });

    it.each([
      ['empty', ''],
      ['with a space', 'a key'],
      ['256 characters long', 'x'.repeat(256)],
    ])('answers 400 naming the header to a key that is %s, and creates nothing', async (_what, key) => {
      const before = r.count();
      const res = await r.send(r.bodies[0], key);
      expect(res.status).toBe(400);
      r.expectVendorError(res, 400);
      expect(res.text).toContain('Idempotency-Key');
      expect(r.count()).toBe(before);
    });
  });
}
