/** Spec of the ephemeral resource `apiaccess_signicat_access_token`: a short-lived token that never reaches plan or state. */
import { defineEphemeral, nonEmptyString } from '../../../spec';

export const accessTokenSpec = defineEphemeral({
  typeName: 'apiaccess_signicat_access_token',
  description:
    'An OAuth 2.0 access token for a Signicat API client (client-credentials grant), for one Terraform run: it is never written to the plan or the state. Use it to configure another provider or a provisioner.',
  attributes: {
    client_id: { type: 'string', required: true, description: 'The client ID the token is for.', validators: [nonEmptyString(200)] },
    client_secret: {
      type: 'string',
      required: true,
      sensitive: true,
      vendorField: 'client_secret',
      description: 'A secret of that client, e.g. from apiaccess_signicat_client_secret or an ephemeral variable.',
      validators: [nonEmptyString(500)],
    },
    access_token: { type: 'string', computed: true, sensitive: true, description: 'The access token, for an Authorization: Bearer header.' },
    token_type: { type: 'string', computed: true, description: 'Always Bearer.' },
    expires_at: { type: 'string', computed: true, description: 'When the token expires (RFC 3339), from the expires_in Signicat answered.' },
  },
  docs: {
    hcl: `ephemeral "apiaccess_signicat_access_token" "pipeline" {
  client_id     = apiaccess_signicat_api_client.backend.id
  client_secret = apiaccess_signicat_client_secret.pipeline.value
}

provider "example" {
  token = ephemeral.apiaccess_signicat_access_token.pipeline.access_token
}`,
    typescript: `// cdktf 0.21 has no ephemeral blocks: the construct writes one through the stack escape hatch.
const token = new SignicatAccessToken(stack, 'pipeline', { clientId: backend.clientId, clientSecret: secret.value });
// token.accessToken is "\${ephemeral.apiaccess_signicat_access_token.pipeline.access_token}": use it where Terraform
// accepts ephemeral values (provider blocks, provisioners, write-only attributes, other ephemeral resources).`,
  },
});
