/** Spec of `apiaccess_sigsci_api_token`: a personal API access token of the provider's own user. */
import { defineResource, rotationPeriod, shownOnceSecret } from '../../../spec';
import { tokenName } from './validators';

export const apiTokenSpec = defineResource({
  typeName: 'apiaccess_sigsci_api_token',
  version: 0,
  description:
    'A personal API access token of the user the provider acts as (sigsci_email, the x-api-user header). Signal Sciences allows 5 tokens per user and shows the value once, at creation; it is kept in state as a sensitive value. Tokens cannot be renamed: a new name replaces the token.',
  attributes: {
    id: { type: 'string', computed: true, output: 'tokenId', description: 'The token ID Signal Sciences gave it (24 hex characters).' },
    name: {
      type: 'string',
      required: true,
      requiresReplace: true,
      description:
        'Token name (the console\'s "Token name"): 1-64 letters, digits, underscores and single inner spaces, unique among the user\'s tokens. A change replaces the token.',
      validators: [tokenName()],
    },
    rotation_period: rotationPeriod(),
    replace_when_inactive: {
      type: 'bool',
      optional: true,
      local: true,
      description:
        'Whether a token the corp policy expired (apiTokenMaxAge) or the user restriction disabled is planned for replacement (the default, null = true). Set false to only report it as a warning.',
    },
    token: shownOnceSecret('The token value, for the x-api-token header. Null after import: Signal Sciences shows it only once.', 'token'),
    created_by: { type: 'string', computed: true, vendorField: 'createdBy', description: 'E-mail of the user the token belongs to.' },
    created: { type: 'string', computed: true, description: 'When the token was created (RFC 3339); expiry and rotation are measured from here.' },
    expires: {
      type: 'string',
      computed: true,
      description: 'When the token expires under the corp policy (created + apiTokenMaxAge, RFC 3339), or empty when tokens do not expire.',
    },
    status: {
      type: 'string',
      computed: true,
      description:
        'active, expired (older than the corp expiration) or disabled (the corp restricts tokens and the user is not allowed), as Signal Sciences reports it now.',
    },
    last_used: { type: 'string', computed: true, vendorField: 'lastUsed', description: 'When the token was last used (RFC 3339), or empty.' },
    last_used_ip: { type: 'string', computed: true, vendorField: 'lastUsedIP', description: 'The IP address it was last used from, or empty.' },
  },
  rotation: { createdAt: 'created' },
  importId: { format: '{id}', example: '5a9db0c50000000000000001' },
  docs: {
    hcl: `resource "apiaccess_sigsci_api_token" "ci" {
  name            = "ci pipeline"
  rotation_period = "720h"
}

# Token names are unique per user, so a token cannot overlap with its own replacement
# (create_before_destroy would be refused). Keep two tokens with staggered rotation and switch
# consumers between them for a rotation without a gap:
resource "apiaccess_sigsci_api_token" "ci_b" {
  name            = "ci pipeline b"
  rotation_period = "720h"
}`,
    typescript: `const ci = new SigsciApiToken(stack, 'ci', { name: 'ci pipeline', rotationPeriod: '720h' });
new TerraformOutput(stack, 'ci_token', { value: ci.token, sensitive: true });`,
  },
});
