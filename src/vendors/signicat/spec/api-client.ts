/** Spec of `apiaccess_signicat_api_client`. */
import { defineResource, eachStringMatches, integerBetween, nonEmptyString } from '../../../spec';

/** Shape of a permission: `<product>:<action>`, lowercase. */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

export const apiClientSpec = defineResource({
  typeName: 'apiaccess_signicat_api_client',
  version: 0,
  description: 'A Signicat API client: a client ID that obtains OAuth 2.0 tokens, with its permissions and token lifetime.',
  attributes: {
    id: { type: 'string', computed: true, output: 'clientId', description: 'The client ID Signicat generated, e.g. sandbox-round-apple-123.' },
    name: { type: 'string', required: true, description: 'Display name of the client (1-100 characters).', validators: [nonEmptyString(100, 'a name')] },
    permissions: {
      type: ['set', 'string'],
      optional: true,
      computed: true,
      default: [],
      output: 'permissionsOutput',
      description: 'Permissions granted to the client, each <product>:<action> (e.g. authentication:read). Defaults to none.',
      validators: [eachStringMatches(PERMISSION_PATTERN, '<product>:<action> in lowercase, e.g. authentication:read')],
    },
    access_token_lifetime: {
      type: 'number',
      optional: true,
      computed: true,
      default: 600,
      vendorField: 'accessTokenLifetime',
      output: false,
      description: 'Lifetime of the access tokens this client gets, in seconds (1-3600). Defaults to 600.',
      validators: [integerBetween(1, 3600, 'seconds')],
    },
    account_id: { type: 'string', computed: true, vendorField: 'accountId', description: 'The Signicat account the client belongs to.' },
    created_at: { type: 'string', computed: true, vendorField: 'createdAt', description: 'When the client was created (RFC 3339).' },
  },
  importId: { format: '{id}', example: 'sandbox-round-apple-123' },
  docs: {
    hcl: `resource "apiaccess_signicat_api_client" "backend" {
  name                  = "backend-service"
  permissions           = ["authentication:read"]
  access_token_lifetime = 900
}`,
    typescript: `const backend = new SignicatApiClient(stack, 'backend', {
  name: 'backend-service',
  permissions: ['authentication:read'],
  accessTokenLifetime: 900,
});`,
  },
});
