/**
 * The state half of a vendor emulator: a state document that round-trips as plain JSON
 * (`snapshot` / `restore`), a seed it goes back to (`reset`), and the idempotency store that
 * `reset` clears. A vendor emulator extends it and adds its routes, its error shape and any
 * sandbox-only switches (which override `reset` and call `super.reset()`).
 */
import { IdempotencyStore, type IdempotencyRecord } from './idempotency';
import type { Router } from './router';
import type { SandboxResponse, VendorEmulator } from './types';
import { clone } from './util';

/** How an emulator's state is made, checked and read. */
export interface StateModel<S> {
  /** The sandbox clock as the emulator reads it (ms). */
  readonly now: () => number;
  /** A fresh seed state at `now`. */
  readonly seed: (now: number) => S;
  /** Checks a document from `snapshot` and returns the state to hold; throws on a bad shape. */
  readonly parse: (doc: unknown) => S;
}

/** `parse` for a state model whose validator asserts the shape: validates, then holds a copy. */
export function checkedCopy<S>(assert: (doc: unknown) => asserts doc is S): (doc: unknown) => S {
  return (doc) => {
    assert(doc);
    return clone(doc);
  };
}

/** Base of the vendor emulators: the state, its round trip, the seed and the idempotency store. */
export abstract class StatefulEmulator<S> implements VendorEmulator {
  abstract readonly name: string;
  abstract readonly prefix: string;
  abstract readonly router: Router;
  /** Idempotency keys of the emulator's create routes (see idempotency.ts); `reset` clears them. */
  readonly idempotency: IdempotencyStore;
  /** The sandbox clock as the emulator reads it (ms). */
  protected readonly now: () => number;
  protected state: S;
  private readonly model: StateModel<S>;

  protected constructor(model: StateModel<S>) {
    this.model = model;
    this.now = model.now;
    this.state = model.seed(model.now());
    this.idempotency = new IdempotencyStore({ now: model.now, errorBody: (status, message) => this.errorBody(status, message) });
  }

  /** The vendor's error shape, for the sandbox core's own answers and the idempotency store's. */
  abstract errorBody(status: number, message: string): SandboxResponse;

  /** The whole state as plain JSON (a copy). */
  snapshot(): S {
    return clone(this.state);
  }

  /** Replaces the state with a checked document from `snapshot`; throws (state unchanged) on a bad shape. */
  restore(doc: unknown): void {
    this.state = this.model.parse(doc);
  }

  /** Back to the seed, and the idempotency keys forgotten. */
  reset(): void {
    this.state = this.model.seed(this.now());
    this.idempotency.clear();
  }

  idempotencyKeys(): IdempotencyRecord[] {
    return this.idempotency.list();
  }
}
