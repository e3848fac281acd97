/**
 * Props checks that run in the construct's constructor, so mistakes surface at synth with the
 * construct path. A value that is still an unresolved token is skipped: the provider checks it
 * at plan time.
 *
 * The error is a plain `Error` (jsii cannot export a subclass of `Error`, and a plain one reaches
 * every binding language as that language's normal exception with the same message). It carries a
 * stable `name`, `code`, `prop` and `constructPath`; {@link ApiAccessValidation.isValidationError}
 * recognises it and narrows its type in TypeScript.
 */
import { Token } from 'cdktf';
import type { Construct } from 'constructs';

const BRAND = Symbol.for('apiaccess.ApiAccessValidationError');
const ERROR_NAME = 'ApiAccessValidationError';
const ERROR_CODE = 'APIACCESS_INVALID_ARGUMENT';

/** What a validation error thrown by an apiaccess construct carries besides its message. */
export interface ApiAccessValidationDetails {
  /** Always `APIACCESS_INVALID_ARGUMENT` ({@link ApiAccessValidation.ERROR_CODE}). */
  readonly code: string;
  /** The prop at fault, e.g. `accessTokenLifetime`. */
  readonly prop: string;
  /** The path of the construct whose props were refused, e.g. `stack/client`. */
  readonly constructPath: string;
}

/**
 * Recognises the errors apiaccess constructs throw for bad props. Their message is
 * `<construct path>: <prop> <what is wrong and what is allowed>`.
 */
export class ApiAccessValidation {
  /** The `name` of every validation error. */
  static readonly ERROR_NAME: string = ERROR_NAME;
  /** The `code` of every validation error. */
  static readonly ERROR_CODE: string = ERROR_CODE;

  /** True when `x` is a validation error from an apiaccess construct (from any copy of this package). */
  static isValidationError(x: unknown): x is Error & ApiAccessValidationDetails {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  private constructor() {}
}

/** A validation error for `prop` of the construct at `scope`; `message` says what is wrong and what is allowed. */
export function validationError(scope: Construct, prop: string, message: string): Error & ApiAccessValidationDetails {
  const details: ApiAccessValidationDetails = { code: ERROR_CODE, prop, constructPath: scope.node.path };
  const err = Object.assign(new Error(`${scope.node.path}: ${prop} ${message}`), details);
  err.name = ERROR_NAME;
  Object.defineProperty(err, BRAND, { value: true });
  return err;
}

/**
 * Refuses a literal secret: it would be written in clear into cdk.tf.json. Secrets come from a
 * sensitive TerraformVariable (a token) or from the provider's environment variables.
 */
export function checkNotLiteralSecret(scope: Construct, prop: string, value: string | undefined, envName?: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const instead = envName
    ? 'Pass a sensitive TerraformVariable instead, or leave it unset and export ' + envName + '.'
    : "Pass a sensitive TerraformVariable or another resource's attribute instead.";
  throw validationError(scope, prop, `is a literal string, which would be written in clear into the synthesized stack. ${instead}`);
}
