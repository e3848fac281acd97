/** Spec of the data source `apiaccess_signicat_api_client`: one API client by its client ID. */
import { defineDataSource, nonEmptyString } from '../../../spec';

export const apiClientDataSpec = defineDataSource({
  typeName: 'apiaccess_signicat_api_client',
  description: 'Looks up one Signicat API client of the account by its client ID.',
  attributes: {
    id: { type: 'string', required: true, description: 'The client ID to look up.', validators: [nonEmptyString(200)] },
    name: { type: 'string', computed: true, description: 'Display name of the client.' },
    permissions: { type: ['set', 'string'], computed: true, description: 'Permissions granted to the client, each <product>:<action>.' },
    access_token_lifetime: { type: 'number', computed: true, vendorField: 'accessTokenLifetime', description: 'Lifetime of its access tokens, in seconds.' },
    account_id: { type: 'string', computed: true, vendorField: 'accountId', description: 'The Signicat account the client belongs to.' },
    created_at: { type: 'string', computed: true, vendorField: 'createdAt', description: 'When the client was created (RFC 3339).' },
    secret_count: { type: 'number', computed: true, description: 'How many secrets the client has (their values are never shown again).' },
  },
  docs: {
    hcl: `data "apiaccess_signicat_api_client" "backend" {
  id = "sandbox-round-apple-123"
}`,
    typescript: `const found = new DataSignicatApiClient(stack, 'backend', { id: 'sandbox-round-apple-123' });
new TerraformOutput(stack, 'backend_permissions', { value: found.permissions });`,
  },
});
