/**
 * The apiaccess provider construct. Besides the provider block, it makes the synthesized stack
 * self-sufficient: at synth time it writes an implied local provider mirror into the stack folder
 * ({@link ApiAccessProviderMirror} in `./mirror`), so `terraform init` finds the provider offline,
 * with no CLI configuration and no registry.
 */
import { TerraformProvider, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { installMirrorWriter, PROVIDER_SOURCE, PROVIDER_VERSION } from './mirror';
import { VENDOR_SETTINGS, type ApiAccessVendorSettings } from './provider-settings.generated';
import { checkNotLiteralSecret } from './validation';

/**
 * Settings of the apiaccess provider. Every setting also has an environment-variable fallback.
 * The vendor settings (`signicatClientId`, …) come from each vendor's settings spec.
 */
export interface ApiAccessProviderProps extends ApiAccessVendorSettings {
  /** Alias for a second provider configuration. @default none */
  readonly alias?: string;
  /** Base URL of the apiaccess vendor sandbox (then every vendor uses its seeded credentials). @default APIACCESS_SANDBOX_URL */
  readonly sandboxUrl?: string;
  /**
   * Write the implied local provider mirror into the stack folder at synth.
   * @default true
   */
  readonly writeProviderMirror?: boolean;
}

/** The apiaccess Terraform provider. */
export class ApiAccessProvider extends TerraformProvider {
  /** Provider source address used in required_providers (a local-only host: never looked up). */
  static readonly PROVIDER_SOURCE: string = PROVIDER_SOURCE;
  /** The provider version the mirror and required_providers carry. */
  static readonly PROVIDER_VERSION: string = PROVIDER_VERSION;

  private readonly props: ApiAccessProviderProps;
  private _alias?: string;

  /** The alias resources use to pick this configuration (`apiaccess.<alias>`). */
  override get alias(): string | undefined {
    return this._alias;
  }
  override set alias(value: string | undefined) {
    this._alias = value;
  }

  constructor(scope: Construct, id: string, props: ApiAccessProviderProps = {}) {
    super(scope, id, {
      terraformResourceType: 'apiaccess',
      terraformGeneratorMetadata: { providerName: 'apiaccess', providerVersion: PROVIDER_VERSION },
      terraformProviderSource: PROVIDER_SOURCE,
    });
    const values = props as Record<string, unknown>;
    for (const s of VENDOR_SETTINGS) if (s.sensitive) checkNotLiteralSecret(this, s.prop, values[s.prop] as string | undefined, s.env);
    this.props = props;
    this.alias = props.alias;
    if (props.writeProviderMirror ?? true) installMirrorWriter(TerraformStack.of(this));
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    const values = this.props as Record<string, unknown>;
    const attrs: { [name: string]: unknown } = { sandbox_url: this.props.sandboxUrl };
    for (const s of VENDOR_SETTINGS) attrs[s.attribute] = values[s.prop];
    return attrs;
  }

  protected override synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs = this.synthesizeAttributes();
    return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { value: v, isBlock: false, type: 'simple', storageClassType: 'string' }]));
  }
}
