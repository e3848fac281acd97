/** L2 construct for apiaccess_signicat_client_secret. */
import { stringToTerraform } from 'cdktf';
import type { Construct } from 'constructs';
import { ApiAccessResource, type ApiAccessResourceProps } from '../../../constructs/resource';
import { checkName } from '../../../constructs/validation';

/** Props of {@link SignicatClientSecret}. */
export interface SignicatClientSecretProps extends ApiAccessResourceProps {
  /** ID of the API client (e.g. `SignicatApiClient.clientId`). */
  readonly clientId: string;
  /** Optional name (1-100 characters). @default none */
  readonly name?: string;
}

/**
 * A secret of a Signicat API client. Signicat shows the value once; Terraform keeps it in state
 * as a sensitive value. Changing any prop replaces the secret (a rotation).
 */
export class SignicatClientSecret extends ApiAccessResource {
  static readonly TF_TYPE = 'apiaccess_signicat_client_secret';
  private readonly props: SignicatClientSecretProps;

  constructor(scope: Construct, id: string, props: SignicatClientSecretProps) {
    super(scope, id, SignicatClientSecret.TF_TYPE, props);
    checkName(this, 'clientId', props.clientId, 200);
    checkName(this, 'name', props.name, 100);
    this.props = props;
  }

  /** The secret ID Signicat gave it. */
  get secretId(): string {
    return this.getStringAttribute('secret_id');
  }

  /** The secret value (sensitive; empty after import). Use it only in sensitive outputs or other resources. */
  get value(): string {
    return this.getStringAttribute('value');
  }

  protected override synthesizeAttributes(): { [name: string]: unknown } {
    return { client_id: stringToTerraform(this.props.clientId), name: stringToTerraform(this.props.name) };
  }
}
