/** Attribute validators shared by handlers; each says what is allowed, in a full sentence. */
import type { AttributeValidator } from './schema';
import { BigNumber, isUnknown, type CtyValue } from './cty';

function asNumber(v: CtyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof BigNumber) return Number(v.text);
  return undefined;
}

/** A string that is not empty or only spaces, at most `max` characters. */
export function nonEmptyString(max: number): AttributeValidator {
  return (v, path, diags) => {
    if (typeof v !== 'string') return;
    if (v.trim() === '') diags.error('Invalid Attribute Value', `${String(path[0])} must not be empty; give it a name of 1 to ${max} characters.`, path);
    else if (v.length > max) diags.error('Invalid Attribute Value', `${String(path[0])} is ${v.length} characters long; at most ${max} are allowed.`, path);
  };
}

/** A whole number between `min` and `max` inclusive. */
export function integerBetween(min: number, max: number, unit = ''): AttributeValidator {
  return (v, path, diags) => {
    const n = asNumber(v);
    if (n === undefined) return;
    if (!Number.isInteger(n) || n < min || n > max) {
      diags.error(
        'Invalid Attribute Value',
        `${String(path[0])} is ${v instanceof BigNumber ? v.text : String(n)}; it must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}.`,
        path,
      );
    }
  };
}

/** Every element of a list/set of strings matches `pattern`; `shape` describes it to the user. */
export function eachStringMatches(pattern: RegExp, shape: string): AttributeValidator {
  return (v, path, diags) => {
    if (!Array.isArray(v)) return;
    v.forEach((el) => {
      if (typeof el === 'string' && !isUnknown(el) && !pattern.test(el)) {
        diags.error('Invalid Attribute Value', `${String(path[0])} contains "${el}", which is not allowed: each entry must have the shape ${shape}.`, path);
      }
    });
  };
}
