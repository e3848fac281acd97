/**
 * Plan-time attribute validators for handlers that declare a framework schema by hand: the spec
 * validators (src/spec, shared with the constructs) wrapped for the engine, so there is one
 * implementation of each check and one wording.
 */
import * as spec from '../../spec';
import type { AttributeValidator } from './schema';
import { planValidator } from './spec-resource';

/** A string that is not empty or only spaces, at most `max` characters. */
export function nonEmptyString(max: number): AttributeValidator {
  return planValidator(spec.nonEmptyString(max, 'a name'));
}

/** A whole number between `min` and `max` inclusive. */
export function integerBetween(min: number, max: number, unit = ''): AttributeValidator {
  return planValidator(spec.integerBetween(min, max, unit));
}

/** Every element of a list/set of strings matches `pattern`; `shape` describes it to the user. */
export function eachStringMatches(pattern: RegExp, shape: string): AttributeValidator {
  return planValidator(spec.eachStringMatches(pattern, shape));
}
