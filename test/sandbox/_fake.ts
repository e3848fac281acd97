/**
 * A small fake vendor for the sandbox-core tests: a few routes under `/fake`, its own error shape
 * (`{"fault": {"status", "text"}}`), and an idempotency store on its create route.
 */
import { connect, type Socket } from 'node:net';
import { IdempotencyStore } from '../../src/sandbox/idempotency';
import { Router } from '../../src/sandbox/router';
import { Sandbox, type SandboxOptions } from '../../src/sandbox/server';
import type { EmulatorFactory, SandboxContext, SandboxResponse, VendorEmulator } from '../../src/sandbox/types';

/** The fake vendor. `created` counts objects made; `failNext` makes the next create answer that status. */
export class ShapedFake implements VendorEmulator {
  readonly name = 'fake';
  readonly prefix = '/fake';
  readonly router = new Router();
  readonly idempotency: IdempotencyStore;
  created: string[] = [];
  /** Statuses the next creates answer instead of creating (503, or 'throw'). */
  failNext: (number | 'throw')[] = [];
  routeCalls = 0;

  constructor(ctx: SandboxContext) {
    this.idempotency = new IdempotencyStore({ now: () => ctx.clock.now(), errorBody: (s, m) => this.errorBody(s, m) });
    this.router
      .post('/items', (req) =>
        this.idempotency.run(req, 'caller', () => {
          this.routeCalls += 1;
          const fail = this.failNext.shift();
          if (fail === 'throw') throw new Error('kaput');
          if (fail !== undefined) return { status: fail, body: { fault: { status: fail, text: 'try again' } } };
          const id = `item-${this.created.length + 1}-${Math.random().toString(36).slice(2)}`;
          this.created.push(id);
          return { status: 201, headers: { location: `/fake/items/${id}` }, body: { id, secret: `s3cr3t-${id}`, body: req.rawBody.toString('utf8') } };
        }),
      )
      .get('/items/:id', (req) => ({ status: 200, body: { id: req.params.id, url: req.url } }))
      .get('/now', () => ({ status: 200, body: { now: ctx.clock.now() } }));
  }

  errorBody(status: number, message: string): SandboxResponse {
    return { status, headers: { 'content-type': 'application/vnd.fake+json' }, body: { fault: { status, text: message } } };
  }

  idempotencyKeys() {
    return this.idempotency.list();
  }

  snapshot(): unknown {
    return { created: this.created };
  }

  restore(doc: unknown): void {
    this.created = [...(doc as { created: string[] }).created];
  }

  reset(): void {
    this.created = [];
    this.idempotency.clear();
  }
}

const started: Sandbox[] = [];

/** Starts a sandbox with the shaped fake; {@link closeAll} in afterEach closes it. */
export async function startShaped(options: Partial<SandboxOptions> = {}): Promise<{ sandbox: Sandbox; fake: ShapedFake }> {
  const factory: EmulatorFactory = (ctx) => new ShapedFake(ctx);
  const sandbox = await Sandbox.start({ emulators: [factory], ...options });
  started.push(sandbox);
  return { sandbox, fake: sandbox.emulator<ShapedFake>('fake') };
}

export async function closeAll(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.close()));
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

/** One HTTP call with global fetch. */
export async function call(sandbox: Sandbox, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(`${sandbox.baseUrl}${path}`, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** A raw TCP connection to the sandbox, with everything the server sends collected in `received`. */
export async function rawSocket(sandbox: Sandbox): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(sandbox.baseUrl);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
}

/** Status and JSON body of a raw HTTP/1.1 answer. */
export function parseRaw(text: string): { status: number; headers: string; body: unknown } {
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const rest = text.slice(end + 4);
  let body: unknown;
  try {
    body = JSON.parse(rest);
  } catch {
    body = rest;
  }
  return { status, headers: head.toLowerCase(), body };
}
