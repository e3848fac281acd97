/**
 * The shape of a Threat Jammer API key, checked at plan time before anything is sent: `tja_` +
 * 36 base-62 characters, 40 in all. A problem is described by position and length only; the
 * value is never echoed (a near-miss key is still a secret).
 */
import type { Validator } from '../../../spec';

export const KEY_PREFIX = 'tja_';
export const KEY_PAYLOAD_LENGTH = 36;
export const KEY_LENGTH = KEY_PREFIX.length + KEY_PAYLOAD_LENGTH;

const SHAPE = `a Threat Jammer API key is "${KEY_PREFIX}" followed by ${KEY_PAYLOAD_LENGTH} base-62 characters (0-9, A-Z, a-z), ${KEY_LENGTH} in all`;

/** Names a character without showing one that could belong to a key. */
function described(ch: string): string {
  const named: Record<string, string> = { ' ': 'a space', '\t': 'a tab', '\n': 'a line break', '\r': 'a carriage return' };
  if (named[ch] !== undefined) return named[ch];
  const code = ch.codePointAt(0) ?? 0;
  return code > 0x20 && code < 0x7f ? `"${ch}"` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What is wrong with `key` as a Threat Jammer key (the rest of a sentence), or undefined. */
export function keyProblem(key: string): string | undefined {
  if (/^bearer\s/i.test(key)) return `starts with "Bearer "; give the key alone (the provider adds the prefix), ${SHAPE}.`;
  if (!key.startsWith(KEY_PREFIX)) {
    const first = [...KEY_PREFIX].findIndex((c, i) => key[i] !== c);
    return `does not start with "${KEY_PREFIX}" (position ${first + 1} differs); ${SHAPE}.`;
  }
  if (key.length !== KEY_LENGTH) {
    const hint = key.trim() !== key ? ' (it ends in whitespace: a copied line break?)' : '';
    return `is ${key.length} characters long${hint}, expected ${KEY_LENGTH}; ${SHAPE}.`;
  }
  for (let i = KEY_PREFIX.length; i < key.length; i++) {
    if (!/[0-9A-Za-z]/.test(key[i]!)) return `has ${described(key[i]!)} at position ${i + 1}, which is not base-62; ${SHAPE}.`;
  }
  return undefined;
}

/** The key-shape validator of the provider setting (and any key in configuration). */
export function threatJammerKey(): Validator {
  return (v) => (typeof v === 'string' ? keyProblem(v) : undefined);
}
