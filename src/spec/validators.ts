/**
 * Attribute validators, shared by the provider (plan time) and the constructs (constructor).
 * A validator sees a value that is set (not null/undefined) and returns what is wrong with it as
 * the rest of a sentence that starts with the attribute's name, or undefined when it is fine.
 * Values that are not known yet are skipped through `isUnresolved`: the provider passes its
 * "unknown" test, the constructs pass cdktf's `Token.isUnresolved` (this module never loads cdktf).
 */

/** A check of one set value; returns the problem (e.g. `is 0; it must be ...`) or undefined. */
export type Validator = (value: unknown, isUnresolved: (v: unknown) => boolean) => string | undefined;

/** Numbers arrive as JS numbers (constructs) or as a decimal text holder (large numbers from Terraform). */
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { text?: unknown }).text === 'string') return Number((v as { text: string }).text);
  return undefined;
}

/** A string of at most `max` characters (empty allowed). */
export function maxLength(max: number): Validator {
  return (v) => (typeof v === 'string' && v.length > max ? `is ${v.length} characters long; at most ${max} are allowed.` : undefined);
}

/** A string that is not empty or only spaces, at most `max` characters; `noun` names what to give ("a name"). */
export function nonEmptyString(max: number, noun = 'a value'): Validator {
  const short = maxLength(max);
  return (v, isUnresolved) => {
    if (typeof v === 'string' && v.trim() === '') return `must not be empty; give it ${noun} of 1 to ${max} characters.`;
    return short(v, isUnresolved);
  };
}

/** A whole number between `min` and `max` inclusive. */
export function integerBetween(min: number, max: number, unit = ''): Validator {
  return (v) => {
    const n = asNumber(v);
    if (n === undefined) return undefined;
    if (Number.isInteger(n) && n >= min && n <= max) return undefined;
    const shown = typeof v === 'number' ? String(v) : (v as { text: string }).text;
    return `is ${shown}; it must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}.`;
  };
}

/** Every known element of a list/set of strings matches `pattern`; `shape` describes it to the user. */
export function eachStringMatches(pattern: RegExp, shape: string): Validator {
  return (v, isUnresolved) => {
    if (!Array.isArray(v)) return undefined;
    for (const el of v) {
      if (typeof el === 'string' && !isUnresolved(el) && !pattern.test(el)) {
        return `contains "${el}", which is not allowed: each entry must have the shape ${shape}.`;
      }
    }
    return undefined;
  };
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses a duration such as `720h`, `90m`, `1h30m` or `45s` into seconds; undefined when malformed or zero. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** A positive duration in hours, minutes and seconds, e.g. `720h` or `1h30m`. */
export function duration(): Validator {
  return (v) => {
    if (typeof v !== 'string') return undefined;
    return parseDuration(v) === undefined ? `is "${v}"; it must be a positive duration in hours, minutes and seconds, e.g. "720h" or "1h30m".` : undefined;
  };
}

/** Runs `validators` over a set value; returns the first problem or undefined. */
export function firstProblem(validators: readonly Validator[] | undefined, value: unknown, isUnresolved: (v: unknown) => boolean): string | undefined {
  if (value === undefined || value === null || isUnresolved(value) || !validators) return undefined;
  for (const validate of validators) {
    const problem = validate(value, isUnresolved);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
