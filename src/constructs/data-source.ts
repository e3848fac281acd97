/**
 * The base of every apiaccess data-source construct: a TerraformDataSource of our provider, with a
 * brand. It validates and synthesizes the props from the spec its type registered (spec-construct.ts).
 */
import { TerraformDataSource, type ITerraformDependable, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import { specOf, synthesizeFromSpec, validateProps } from './spec-construct';

const BRAND = Symbol.for('apiaccess.ApiAccessDataSource');

/** Terraform meta-arguments every apiaccess data source accepts. */
export interface ApiAccessDataSourceProps {
  /** The provider instance to use. @default the stack's default apiaccess provider */
  readonly provider?: TerraformProvider;
  /** Explicit dependencies (the read then waits for them at apply). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/** A data source of the apiaccess provider. Use {@link ApiAccessDataSource.isApiAccessDataSource}, not instanceof. */
export abstract class ApiAccessDataSource extends TerraformDataSource {
  /** True when `x` is an apiaccess data-source construct from any copy of this package. */
  static isApiAccessDataSource(x: unknown): x is ApiAccessDataSource {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  private readonly specProps: ApiAccessDataSourceProps;

  constructor(scope: Construct, id: string, terraformResourceType: string, props: ApiAccessDataSourceProps) {
    super(scope, id, {
      terraformResourceType,
      terraformGeneratorMetadata: { providerName: 'apiaccess' },
      provider: props.provider,
      dependsOn: props.dependsOn,
    });
    Object.defineProperty(this, BRAND, { value: true });
    validateProps(this, specOf('data-source', terraformResourceType), props);
    this.specProps = props;
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return synthesizeFromSpec(specOf('data-source', this.terraformResourceType), this.specProps);
  }
}
