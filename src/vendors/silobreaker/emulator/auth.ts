/**
 * How the Silobreaker emulator recognises a caller: the `apiKey` + `digest` query parameters (HMAC over
 * the verb, the URL as received minus those two parameters, and the raw body bytes), or the forms-auth
 * session cookie. Written from the vendor facts only; the client's signer lives elsewhere on purpose.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SandboxRequest } from '../../../sandbox/types';

/** The outcome of reading `apiKey`/`digest` from a request. */
export type DigestCheck =
  { readonly kind: 'absent' } | { readonly kind: 'invalid'; readonly reason: string } | { readonly kind: 'valid'; readonly apiKey: string };

/** One `name=value` piece of a raw query string, kept byte for byte. */
interface QueryPart {
  readonly raw: string;
  readonly name: string | undefined;
  readonly value: string | undefined;
}

/** Decodes a query component the way form decoding does (`+` is a space). Undefined when malformed. */
function formDecode(v: string): string | undefined {
  try {
    return decodeURIComponent(v.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function splitQuery(rawQuery: string): QueryPart[] {
  if (rawQuery === '') return [];
  return rawQuery.split('&').map((raw) => {
    const eq = raw.indexOf('=');
    const name = formDecode(eq < 0 ? raw : raw.slice(0, eq));
    const value = eq < 0 ? '' : formDecode(raw.slice(eq + 1));
    return { raw, name, value };
  });
}

/**
 * The URL a client signed: the URL as the client addressed it (`urlAsSent`) with every `apiKey` and `digest` parameter removed and
 * nothing else touched (no re-encoding, no reordering).
 */
function signedUrl(req: SandboxRequest): string {
  const q = req.urlAsSent.indexOf('?');
  const base = q < 0 ? req.urlAsSent : req.urlAsSent.slice(0, q);
  const kept = splitQuery(req.rawQuery)
    .filter((p) => p.name !== 'apiKey' && p.name !== 'digest')
    .map((p) => p.raw);
  return kept.length > 0 ? `${base}?${kept.join('&')}` : base;
}

/** HMAC over `VERB URL` followed by the raw body bytes; SHA-1 (documented) or SHA-512 (PROPOSED). */
function expectedDigest(algorithm: 'sha1' | 'sha512', sharedKey: string, verb: string, url: string, body: Buffer): Buffer {
  const h = createHmac(algorithm, Buffer.from(sharedKey, 'utf8'));
  h.update(Buffer.from(`${verb} ${url}`, 'utf8'));
  if (body.length > 0) h.update(body);
  return h.digest();
}

/**
 * Checks the request's `apiKey`/`digest` against the known keys. `sharedKeyOf` returns the shared key
 * of an API key, or undefined for an unknown key.
 */
export function checkDigest(req: SandboxRequest, sharedKeyOf: (apiKey: string) => string | undefined): DigestCheck {
  const parts = splitQuery(req.rawQuery);
  const keys = parts.filter((p) => p.name === 'apiKey');
  const digests = parts.filter((p) => p.name === 'digest');
  if (keys.length === 0 && digests.length === 0) return { kind: 'absent' };
  if (keys.length !== 1 || digests.length !== 1) return { kind: 'invalid', reason: 'exactly one apiKey and one digest parameter are required' };
  // A malformed percent-escape leaves the value undefined: treated as empty, hence rejected below.
  const apiKey = keys[0]!.value ?? '';
  const digest = digests[0]!.value ?? '';
  const sharedKey = apiKey === '' ? undefined : sharedKeyOf(apiKey);
  if (sharedKey === undefined) return { kind: 'invalid', reason: 'unknown apiKey' };
  // A digest is standard base64: 28 characters for SHA-1, 88 for SHA-512. An unencoded '+' arrives as
  // a space and fails here, as the vendor's docs warn.
  const algorithm = digest.length === 28 ? 'sha1' : digest.length === 88 ? 'sha512' : undefined;
  if (!algorithm || !/^[A-Za-z0-9+/]+={0,2}$/.test(digest)) return { kind: 'invalid', reason: 'malformed digest' };
  const given = Buffer.from(digest, 'base64');
  const expected = expectedDigest(algorithm, sharedKey, req.method, signedUrl(req), req.rawBody);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'invalid', reason: 'digest mismatch' };
  return { kind: 'valid', apiKey };
}

/** The value of cookie `name` in the request's Cookie header, if any. */
export function cookieValue(req: SandboxRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const piece of header.split(/;\s*|,\s*/)) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    if (piece.slice(0, eq).trim() === name) {
      const v = piece.slice(eq + 1).trim();
      return v === '' ? undefined : v;
    }
  }
  return undefined;
}
