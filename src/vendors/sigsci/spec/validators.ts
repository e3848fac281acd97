/** Signal Sciences value shapes, shared by the provider (plan time) and the constructs. */
import type { Validator } from '../../../spec';

/** Personal API access tokens per user, on every plan (the seed). */
export const TOKENS_PER_USER = 5;

/** Token names (PROPOSED from the vendor's 400s): letters, digits, `_` and single inner spaces, 1-64 characters. */
const TOKEN_NAME = /^[A-Za-z0-9_]+( [A-Za-z0-9_]+)*$/;
const TOKEN_NAME_MAX = 64;

/** A token name the vendor accepts. */
export function tokenName(): Validator {
  return (v) => {
    if (typeof v !== 'string') return undefined;
    if (v.length < 1 || v.length > TOKEN_NAME_MAX) return `is ${v.length} characters long; it must be 1 to ${TOKEN_NAME_MAX} characters.`;
    if (!TOKEN_NAME.test(v)) {
      return `is "${v}"; Signal Sciences allows only letters, digits, underscores and single spaces between words (no "-", "@", "!", "%", no leading, trailing or double spaces).`;
    }
    return undefined;
  };
}

const EXPIRATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds of an expiration such as `720h`, `90m` or `0s` (0 = never); undefined when malformed. */
export function parseExpiration(text: string): number | undefined {
  const m = EXPIRATION.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The canonical text of `seconds` (`0s`, `720h`, `1h30m`, `45s`). */
export function formatExpiration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A duration in hours, minutes and seconds; `0s` means tokens never expire. */
export function expiration(): Validator {
  return (v) => {
    if (typeof v !== 'string') return undefined;
    const n = parseExpiration(v);
    if (n === undefined) return `is "${v}"; it must be a duration in hours, minutes and seconds such as "720h" or "1h30m", or "0s" for never.`;
    if (!Number.isSafeInteger(n)) return `is "${v}", which is too long.`;
    return undefined;
  };
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** True when `text` is a strict dotted-quad IPv4 address. */
function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}

/** True when `entry` is an IPv4 address or an IPv4 CIDR range with a prefix of 0-32. */
export function isAllowListEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0) return isIpv4(entry);
  const len = entry.slice(slash + 1);
  return isIpv4(entry.slice(0, slash)) && /^(0|[1-9]\d?)$/.test(len) && Number(len) <= 32;
}

/** Every known entry is an IPv4 address or CIDR range, as the vendor checks them. */
export function allowListEntries(): Validator {
  return (v, isUnresolved) => {
    if (!Array.isArray(v)) return undefined;
    for (const el of v) {
      if (typeof el !== 'string' || isUnresolved(el) || isAllowListEntry(el)) continue;
      const why = el.includes(':') ? 'IPv6 is not supported' : 'use a strict dotted quad such as 203.0.113.7, or a range such as 203.0.113.0/24 (prefix 0-32)';
      return `contains "${el}", which Signal Sciences rejects: ${why}.`;
    }
    return undefined;
  };
}

/** An e-mail address (the user's key at the vendor). */
export function email(): Validator {
  return (v) => (typeof v === 'string' && !/^[^\s@]+@[^\s@]+$/.test(v) ? `is "${v}"; it must be the user's e-mail address.` : undefined);
}

/** One of `allowed`. */
export function oneOf(allowed: readonly string[]): Validator {
  return (v) => (typeof v === 'string' && !allowed.includes(v) ? `is "${v}"; it must be one of ${allowed.join(', ')}.` : undefined);
}
