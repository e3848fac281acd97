/** Spec of `apiaccess_sigsci_user_token_access`: whether one corp user may create and use API access tokens. */
import { defineResource } from '../../../spec';
import { email } from './validators';

export const userTokenAccessSpec = defineResource({
  typeName: 'apiaccess_sigsci_user_token_access',
  version: 0,
  description:
    'The "Allow this user to create API access tokens" setting of one corp user (accessTokenAllowed; owners only). It matters while the corp restricts tokens (apiaccess_sigsci_token_settings.restrict_to_allowed_users); the vendor remembers it otherwise. Destroying it sets the user back to not allowed.',
  attributes: {
    id: { type: 'string', computed: true, output: false, description: "The user's e-mail address." },
    email: {
      type: 'string',
      required: true,
      requiresReplace: true,
      description: 'E-mail address of an existing corp user.',
      validators: [email()],
    },
    allowed: {
      type: 'bool',
      required: true,
      vendorField: 'accessTokenAllowed',
      description: 'Whether the user may create and use API access tokens while the corp restricts them.',
    },
  },
  importId: { format: '{email}', example: 'user@example.com' },
  docs: {
    hcl: `resource "apiaccess_sigsci_user_token_access" "analyst" {
  email   = "analyst@example.com"
  allowed = true
}`,
    typescript: `new SigsciUserTokenAccess(stack, 'analyst', { email: 'analyst@example.com', allowed: true });`,
  },
});
