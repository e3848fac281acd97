/** Plan-time checks of Carbon Black values, shared by the provider and the constructs. */
import type { ConfigCheck, Validator } from '../../../spec';

/** The access levels ("key types") Carbon Black offers. */
export const ACCESS_LEVELS = ['API', 'SIEM', 'LIVE_RESPONSE', 'CUSTOM'] as const;

/** The most entries in an IP allow-list. */
const MAX_ALLOWED_IPS = 50;

/** One of `values`. */
export function oneOf(values: readonly string[]): Validator {
  return (v) => (typeof v !== 'string' || values.includes(v) ? undefined : `is "${v}"; it must be one of ${values.join(', ')}.`);
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** True for an IPv4 address (`203.0.113.7`) or an IPv4 CIDR block (`203.0.113.0/24`, prefix 0-32). */
function isIpv4OrCidr(v: string): boolean {
  const [addr, bits, ...rest] = v.split('/');
  if (rest.length > 0 || !IPV4.test(addr ?? '')) return false;
  return bits === undefined || /^(\d|[12]\d|3[0-2])$/.test(bits);
}

/** A set of at most {@link MAX_ALLOWED_IPS} IPv4 addresses or CIDR blocks. */
export function ipAllowList(): Validator {
  return (v, isUnresolved) => {
    if (!Array.isArray(v)) return undefined;
    if (v.length > MAX_ALLOWED_IPS) return `has ${v.length} entries; at most ${MAX_ALLOWED_IPS} are allowed.`;
    for (const el of v) {
      if (typeof el === 'string' && !isUnresolved(el) && !isIpv4OrCidr(el)) {
        return `contains "${el}", which is not allowed: each entry must be an IPv4 address (203.0.113.7) or CIDR block (203.0.113.0/24).`;
      }
    }
    return undefined;
  };
}

/**
 * The cross-attribute rule: `custom_access_level_id` is required exactly when `access_level` is
 * CUSTOM (skipped while either is unknown).
 */
export const customLevelRule: ConfigCheck = (config, isUnresolved) => {
  const level = config.access_level;
  const custom = config.custom_access_level_id;
  if (typeof level !== 'string' || isUnresolved(level) || isUnresolved(custom)) return undefined;
  const set = custom !== null && custom !== undefined;
  if (level === 'CUSTOM' && !set) {
    return {
      attribute: 'custom_access_level_id',
      problem:
        'is required when access_level is CUSTOM: give the ID of one of the org\'s custom access levels (see data "apiaccess_carbonblack_access_levels").',
    };
  }
  if (level !== 'CUSTOM' && set) {
    return {
      attribute: 'custom_access_level_id',
      problem: `is only allowed when access_level is CUSTOM (it is ${level}); remove it or set access_level = "CUSTOM".`,
    };
  }
  return undefined;
};
