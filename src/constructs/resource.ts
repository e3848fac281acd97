/**
 * The base of every apiaccess L2 construct: a TerraformResource of our provider, with a brand. It
 * validates and synthesizes the props from the spec its type registered (spec-construct.ts).
 */
import { TerraformResource, type ITerraformDependable, type TerraformProvider, type TerraformResourceLifecycle } from 'cdktf';
import type { Construct } from 'constructs';
import { specOf, synthesizeFromSpec, validateProps } from './spec-construct';

const BRAND = Symbol.for('apiaccess.ApiAccessResource');

/** Terraform meta-arguments every apiaccess construct accepts. */
export interface ApiAccessResourceProps {
  /** The provider instance to use. @default the stack's default apiaccess provider */
  readonly provider?: TerraformProvider;
  /** Explicit dependencies. @default none */
  readonly dependsOn?: ITerraformDependable[];
  /** Lifecycle settings (prevent_destroy, create_before_destroy, ignore_changes). @default none */
  readonly lifecycle?: TerraformResourceLifecycle;
}

/** A resource of the apiaccess provider. Use {@link ApiAccessResource.isApiAccessResource}, not instanceof. */
export abstract class ApiAccessResource extends TerraformResource {
  /** True when `x` is an apiaccess resource construct from any copy of this package. */
  static isApiAccessResource(x: unknown): x is ApiAccessResource {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  private readonly specProps: ApiAccessResourceProps;

  constructor(scope: Construct, id: string, terraformResourceType: string, props: ApiAccessResourceProps) {
    super(scope, id, {
      terraformResourceType,
      terraformGeneratorMetadata: { providerName: 'apiaccess' },
      provider: props.provider,
      dependsOn: props.dependsOn,
      lifecycle: props.lifecycle,
    });
    Object.defineProperty(this, BRAND, { value: true });
    validateProps(this, specOf('resource', terraformResourceType), props);
    this.specProps = props;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return synthesizeFromSpec(specOf('resource', this.terraformResourceType), this.specProps);
  }
}
