/**
 * The base of every apiaccess ephemeral-resource construct. cdktf 0.21 has no ephemeral blocks,
 * so the construct writes `ephemeral.<type>.<name>` into the stack through the documented escape
 * hatch (`TerraformStack.addOverride`), and its getters return `${ephemeral.<type>.<name>.<attr>}`
 * references. Terraform (>= 1.10) accepts those only where ephemeral values are allowed: provider
 * blocks, provisioners and connections, write-only attributes, locals and other ephemeral blocks.
 * (cdktn has a first-class TerraformEphemeralResource; the escape hatch works there too.)
 */
import { TerraformStack, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { specOf, synthesizeFromSpec, validateProps } from './spec-construct';

const BRAND = Symbol.for('apiaccess.ApiAccessEphemeral');

/** Meta-arguments every apiaccess ephemeral resource accepts. */
export interface ApiAccessEphemeralProps {
  /** The provider instance to use. @default the stack's default apiaccess provider */
  readonly provider?: TerraformProvider;
}

/** An ephemeral resource of the apiaccess provider. Use {@link ApiAccessEphemeral.isApiAccessEphemeral}, not instanceof. */
export abstract class ApiAccessEphemeral extends Construct {
  /** True when `x` is an apiaccess ephemeral construct from any copy of this package. */
  static isApiAccessEphemeral(x: unknown): x is ApiAccessEphemeral {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The Terraform type of the block. */
  readonly terraformResourceType: string;
  /** The block's name in `ephemeral.<type>.<name>`: the construct path below the stack, joined by `_`. */
  readonly blockName: string;

  constructor(scope: Construct, id: string, terraformResourceType: string, props: ApiAccessEphemeralProps) {
    super(scope, id);
    Object.defineProperty(this, BRAND, { value: true });
    const spec = specOf('ephemeral', terraformResourceType);
    validateProps(this, spec, props);
    const attributes = synthesizeFromSpec(spec, props);
    const stack = TerraformStack.of(this);
    this.terraformResourceType = terraformResourceType;
    this.blockName = this.node.scopes
      .slice(this.node.scopes.indexOf(stack) + 1)
      .map((c) => c.node.id.replace(/[^A-Za-z0-9_-]/g, '_'))
      .join('_');
    const block: { [name: string]: unknown } = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined));
    if (props.provider) block.provider = props.provider.fqn;
    stack.addOverride(`ephemeral.${terraformResourceType}.${this.blockName}`, block);
  }

  /** A reference to one attribute, for places Terraform accepts ephemeral values. */
  protected attribute(name: string): string {
    return `\${ephemeral.${this.terraformResourceType}.${this.blockName}.${name}}`;
  }
}
