/**
 * Provider-defined functions from cdktf: cdktf 0.21 generates no bindings for them, so
 * {@link apiaccessFunction} writes the call as a Terraform expression
 * (`${provider::apiaccess::<name>(...)}`); arguments may be tokens (attribute references).
 */
import { Token, call, type IResolvable } from 'cdktf';

/** Terraform's `null` inside an expression (cdktf would render a JS null as nothing). */
const NULL_LITERAL: IResolvable = { creationStack: [], resolve: () => 'null', toString: () => 'null' };

/** `provider::apiaccess::<name>(args...)` as a string token (Terraform >= 1.8). Use null for a null argument. */
export function apiaccessFunction(name: string, args: readonly (string | number | boolean | null)[]): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`apiaccessFunction: "${name}" is not a function name of the apiaccess provider.`);
  return Token.asString(
    call(
      `provider::apiaccess::${name}`,
      args.map((a) => (a === null ? NULL_LITERAL : a)),
    ),
  );
}
