/**
 * The sandbox's HTTP edges: reading a request body with a hard size limit (never buffering more
 * than the limit, never throwing when the client goes away) and writing an answer (objects as
 * JSON) without ever throwing on a socket the client already closed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxResponse } from './types';

/** The largest request body a vendor route accepts: 1 MiB. Larger bodies get 413 and the connection is closed. */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The largest body the control surface (`/__sandbox/*`) accepts: 16 MiB, so that a state document
 * at every emulator's memory bounds still round-trips through `PUT /__sandbox/state`.
 */
export const MAX_CONTROL_BODY_BYTES = 16 * 1024 * 1024;

/** The outcome of reading a request body. */
export type BodyRead =
  | { readonly kind: 'ok'; readonly body: Buffer }
  /** The body is (or announces to be) larger than the limit; reading stopped at the limit. */
  | { readonly kind: 'too-large' }
  /** The client went away (or the stream failed) before the body was complete. */
  | { readonly kind: 'aborted' };

/**
 * Reads `req`'s body, up to `limit` bytes. A `Content-Length` above the limit is refused before a
 * single body byte is read. Resolves exactly once; never rejects.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const announced = req.headers['content-length'];
  if (announced !== undefined && /^\d+$/.test(announced) && Number(announced) > limit) return Promise.resolve({ kind: 'too-large' });
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (out: BodyRead): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('aborted', onClose);
      req.off('error', onClose);
      resolve(out);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ kind: 'ok', body: Buffer.concat(chunks) });
    // 'close' before 'end' (or 'aborted', or an 'error') means the body never arrived in full.
    const onClose = (): void => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.once('aborted', onClose);
    req.on('error', onClose);
  });
}

/** An answer as bytes on the wire: status, headers (with content type and length) and payload. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Buffer | undefined;
}

/** Serialises an answer: a Buffer as is, a string as text, anything else as JSON. */
export function serialize(out: SandboxResponse): WireResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers ?? {})) headers[k.toLowerCase()] = v;
  let payload: Buffer | undefined;
  if (out.body !== undefined && out.body !== null) {
    if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') {
      payload = Buffer.from(out.body);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = Buffer.from(JSON.stringify(out.body));
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
  }
  if (payload) headers['content-length'] = String(payload.length);
  return { status: out.status, headers, payload };
}

/** Writes `out` to `res` unless the connection is already gone; `close` ends the connection after it. */
export function send(res: ServerResponse, out: SandboxResponse, close = false): void {
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  const wire = serialize(out);
  const headers = close ? { ...wire.headers, connection: 'close' } : wire.headers;
  try {
    res.writeHead(wire.status, headers);
    res.end(wire.payload);
  } catch {
    res.destroy();
  }
}
