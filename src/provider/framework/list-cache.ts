/**
 * Batched refresh: Terraform calls ReadResource once per object, but where a vendor can list a
 * type, one list per provider process serves every read of it. The first read of a scope (e.g.
 * every API client; the secrets of one client) lists it (single-flight: concurrent reads share the
 * one call) and the snapshot serves the reads that follow for a bounded time. An object missing
 * from the snapshot is never reported gone on the list's word alone: the caller confirms with a
 * direct read. A write through this process drops the snapshots of the type. A list that fails
 * (a credential that may read but not list, say) turns batching off for the scope: plain reads.
 */
import type { IClock } from '../../core/clock';

/** How long a snapshot serves reads: a plan's refresh takes seconds; commands are separate processes. */
export const LIST_MAX_AGE_MS = 60_000;

interface Snapshot<T> {
  readonly at: number;
  readonly byId: Promise<ReadonlyMap<string, T> | null>;
}

/** The snapshots of one resource type, per client (one client = one provider configuration). */
export class ListCache<T> {
  private readonly snapshots = new WeakMap<object, Map<string, Snapshot<T>>>();

  constructor(private readonly clock: IClock) {}

  /**
   * The object with `id` from the (possibly new) snapshot of `scope`; `undefined` when the snapshot
   * does not hold it (confirm with a direct read), `null` when listing is not available.
   */
  async find(client: object, scope: string, id: string, list: () => Promise<readonly T[]>, idOf: (item: T) => string): Promise<T | undefined | null> {
    let scopes = this.snapshots.get(client);
    if (!scopes) {
      scopes = new Map();
      this.snapshots.set(client, scopes);
    }
    const now = this.clock.now();
    let snap = scopes.get(scope);
    if (!snap || now - snap.at > LIST_MAX_AGE_MS) {
      snap = {
        at: now,
        byId: list().then(
          (items) => new Map(items.map((item) => [idOf(item), item])),
          () => null,
        ),
      };
      scopes.set(scope, snap);
    }
    const byId = await snap.byId;
    if (byId === null) return null;
    return byId.get(id);
  }

  /** A write changed the type at the vendor: the next read lists again. */
  invalidate(client: object): void {
    this.snapshots.delete(client);
  }
}
