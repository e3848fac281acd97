/** Spec of `apiaccess_sigsci_token_settings`: the corp-wide API access token settings (a singleton per corp). */
import { defineResource } from '../../../spec';
import { allowListEntries, expiration } from './validators';

export const tokenSettingsSpec = defineResource({
  typeName: 'apiaccess_sigsci_token_settings',
  version: 0,
  description:
    'The corp-wide API access token settings of the corp the provider manages (sigsci_corp): automatic expiration, the IP allow-list and the restriction of tokens to allowed users (Corp Manage > User Authentication > API access tokens; owners only). There is one per corp: creating it takes the settings over, and destroying it restores the defaults (no expiration, no allow-list, unrestricted).',
  attributes: {
    id: { type: 'string', computed: true, output: 'corp', description: 'The corp short name.' },
    expiration: {
      type: 'string',
      optional: true,
      computed: true,
      default: '0s',
      vendorField: 'apiTokenMaxAge',
      description:
        'Tokens expire this long after their own creation (apiTokenMaxAge), e.g. "720h"; "0s" (the default) means never. Retroactive both ways: shortening it expires older tokens at once, lengthening it revives them.',
      validators: [expiration()],
    },
    allowed_ips: {
      type: ['set', 'string'],
      optional: true,
      computed: true,
      default: [],
      vendorField: 'apiAllowedIPs',
      output: 'allowedIpsOutput',
      description:
        'IPv4 addresses (203.0.113.7) and CIDR ranges (203.0.113.0/24, prefix 0-32) tokens may be used from (apiAllowedIPs); empty (the default) allows any address. IPv6 is not supported. A request from elsewhere is refused with HTTP 400.',
      validators: [allowListEntries()],
    },
    restrict_to_allowed_users: {
      type: 'bool',
      optional: true,
      computed: true,
      default: false,
      vendorField: 'restrictedAccessTokens',
      output: false,
      description:
        'Restrict token creation and use to users allowed with apiaccess_sigsci_user_token_access (restrictedAccessTokens, "Restrict access by user"). Tokens of other users stay but are disabled. Defaults to false.',
    },
  },
  importId: { format: '{id}', example: 'my-corp' },
  docs: {
    hcl: `# The provider's own user must be allowed before the restriction is switched on, or its token
# is disabled: depends_on makes the grant happen first (the plan refuses otherwise).
resource "apiaccess_sigsci_user_token_access" "pipeline" {
  email   = "pipeline@example.com"
  allowed = true
}

resource "apiaccess_sigsci_token_settings" "corp" {
  expiration                = "2160h" # 90 days
  allowed_ips               = ["203.0.113.0/24"]
  restrict_to_allowed_users = true

  depends_on = [apiaccess_sigsci_user_token_access.pipeline]
}`,
    typescript: `const me = new SigsciUserTokenAccess(stack, 'pipeline', { email: 'pipeline@example.com', allowed: true });
new SigsciTokenSettings(stack, 'corp', {
  expiration: '2160h',
  allowedIps: ['203.0.113.0/24'],
  restrictToAllowedUsers: true,
  dependsOn: [me],
});`,
  },
});
