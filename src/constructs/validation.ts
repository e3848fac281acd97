/**
 * Props checks that run in the construct's constructor, so mistakes surface at synth with the
 * construct path. A value that is still an unresolved token is skipped: the provider checks it
 * at plan time.
 */
import { Token } from 'cdktf';
import type { Construct } from 'constructs';

const BRAND = Symbol.for('apiaccess.ApiAccessValidationError');

/** An error tied to a construct path and a prop name. Identify it with {@link ApiAccessValidationError.isApiAccessValidationError}. */
export class ApiAccessValidationError extends Error {
  /** True when `x` is an ApiAccessValidationError from any copy of this package. */
  static isApiAccessValidationError(x: unknown): x is ApiAccessValidationError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code = 'APIACCESS_INVALID_ARGUMENT';
  /** The prop at fault. */
  readonly prop: string;
  constructor(scope: Construct, prop: string, message: string) {
    super(`${scope.node.path}: ${prop} ${message}`);
    this.name = 'ApiAccessValidationError';
    this.prop = prop;
    Object.defineProperty(this, BRAND, { value: true });
  }
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
  throw new ApiAccessValidationError(scope, prop, `is a literal string, which would be written in clear into the synthesized stack. ${instead}`);
}
