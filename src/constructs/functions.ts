/**
 * Provider-defined functions from cdktf: cdktf 0.21 generates no bindings for them, so
 * {@link ApiAccessFunction.call} writes the call as a Terraform expression
 * (`${provider::apiaccess::<name>(...)}`); arguments may be tokens (attribute references).
 */
import { Token, call, type IResolvable } from 'cdktf';

/** Terraform's `null` inside an expression (cdktf would render a JS null as nothing). */
const NULL_LITERAL: IResolvable = { creationStack: [], resolve: () => 'null', toString: () => 'null' };

/** Calls of the apiaccess provider's functions (Terraform >= 1.8). */
export class ApiAccessFunction {
  /** Terraform's `null`, for an argument that is null (in JavaScript `null` works too, in Python `None`). */
  static readonly NULL: IResolvable = NULL_LITERAL;

  /**
   * `provider::apiaccess::<name>(args...)` as a string token.
   * @param name the function name, e.g. `silobreaker_signed_url`
   * @param args the arguments in order: strings, numbers, booleans, tokens, or {@link ApiAccessFunction.NULL}
   */
  static call(name: string, args: (string | number | boolean | IResolvable)[]): string {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      throw new Error(
        `ApiAccessFunction.call: name "${name}" is not a function name of the apiaccess provider (lower-case letters, digits and _, e.g. silobreaker_signed_url).`,
      );
    }
    return Token.asString(
      call(
        `provider::apiaccess::${name}`,
        // null or undefined (a JavaScript null, a Python None) is Terraform's null too.
        args.map((a) => (a === null || a === undefined ? NULL_LITERAL : a)),
      ),
    );
  }

  private constructor() {}
}
