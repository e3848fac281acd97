/**
 * A strict scripted HTTP server for the auth tests: a real node:http server on 127.0.0.1:0 that
 * answers the N-th request with the N-th step of its script. A request beyond the script is
 * answered 500 and recorded as unexpected; `assertDone()` fails on unexpected calls and on steps
 * that never ran.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import type { ManualClock } from '../../src/core/clock';
import { waitUntil } from '../support/helpers';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One scripted answer. */
export type Step = (req: RecordedRequest, res: http.ServerResponse, raw: http.IncomingMessage) => void;

/** Answers `status` with `body` (objects as JSON) and `headers`. */
export function reply(status: number, body: unknown = '', headers: Record<string, string | string[]> = {}): Step {
  return (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const extra = typeof body === 'string' ? {} : { 'content-type': 'application/json' };
    res.writeHead(status, { ...extra, ...headers });
    res.end(text);
  };
}

/** Closes the connection without answering (the client sees a socket error). */
export function destroySocket(): Step {
  return (_req, _res, raw) => raw.socket.destroy();
}

/** Never answers (until the server is closed). */
export function hang(): Step {
  return () => undefined;
}

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: RecordedRequest[] = [];
  private next = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly script: readonly Step[],
  ) {}

  static async start(script: readonly Step[]): Promise<ScriptedServer> {
    const ref: { self?: ScriptedServer } = {};
    const server = http.createServer((raw, res) => {
      const chunks: Buffer[] = [];
      raw.on('data', (c: Buffer) => chunks.push(c));
      raw.on('end', () => {
        const req: RecordedRequest = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body: Buffer.concat(chunks).toString('utf8') };
        (ref.self as ScriptedServer).handle(req, res, raw);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ref.self = new ScriptedServer(server, script);
    return ref.self;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  private handle(req: RecordedRequest, res: http.ServerResponse, raw: http.IncomingMessage): void {
    const step = this.script[this.next];
    if (step === undefined) {
      this.unexpected.push(req);
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`unexpected request ${req.method} ${req.url}`);
      return;
    }
    this.next += 1;
    this.requests.push(req);
    step(req, res, raw);
  }

  /** Every scripted step ran and nothing else was asked. */
  assertDone(): void {
    expect(this.unexpected.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(this.next).toBe(this.script.length);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Lets pending I/O callbacks and promise jobs run, `rounds` times. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

export { waitUntil };

/** Waits until `clock` has exactly `count` sleepers. */
export function sleepers(clock: ManualClock, count = 1): Promise<void> {
  return waitUntil(() => clock.pending === count);
}
