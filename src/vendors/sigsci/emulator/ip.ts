/**
 * The corp's API IP allow-list: entries are single IPv4 addresses (`203.0.113.7`) or IPv4 CIDR
 * ranges (`203.0.113.0/24`). Parsing is strict: four decimal octets 0-255 without leading zeros,
 * prefix lengths 0-32.
 */

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** The address as an unsigned 32-bit number, or undefined when `text` is not a dotted IPv4 address. */
function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** `{ base, bits }` for an address or CIDR range, or undefined when malformed. */
function parseEntry(entry: string): { base: number; bits: number } | undefined {
  const slash = entry.indexOf('/');
  if (slash < 0) {
    const base = parseIpv4(entry);
    return base === undefined ? undefined : { base, bits: 32 };
  }
  const base = parseIpv4(entry.slice(0, slash));
  const len = entry.slice(slash + 1);
  if (base === undefined || !/^(0|[1-9]\d?)$/.test(len)) return undefined;
  const bits = Number(len);
  return bits > 32 ? undefined : { base, bits };
}

/** True when `entry` is a valid allow-list entry. */
export function isIpv4Entry(entry: string): boolean {
  return parseEntry(entry) !== undefined;
}

/** True when `ip` falls inside `entry` (an address or CIDR range). IPv6 callers never match. */
function ipMatches(ip: string, entry: string): boolean {
  const addr = parseIpv4(ip);
  const e = parseEntry(entry);
  if (addr === undefined || e === undefined) return false;
  if (e.bits === 0) return true;
  const size = 2 ** (32 - e.bits);
  return Math.floor(addr / size) === Math.floor(e.base / size);
}

/** True when the allow-list is empty (no restriction) or some entry matches `ip`. */
export function ipAllowed(ip: string, allowList: readonly string[]): boolean {
  return allowList.length === 0 || allowList.some((entry) => ipMatches(ip, entry));
}
