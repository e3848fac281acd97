/** Spec of `apiaccess_carbonblack_api_key`. */
import { defineResource, integerBetween, maxLength, nonEmptyString, rotationPeriod, shownOnceSecret } from '../../../spec';
import { ACCESS_LEVELS, customLevelRule, ipAllowList, oneOf } from './validators';

export const apiKeySpec = defineResource({
  typeName: 'apiaccess_carbonblack_api_key',
  version: 0,
  description:
    'A Carbon Black Cloud API key (console: Settings > API Access > API Keys): an API ID and an API Secret Key with an access level that decides which routes answer, and an optional IP allow-list. The secret is shown once and kept in state as a sensitive value; rotation regenerates it in place and the old secret stops working at once.',
  attributes: {
    id: { type: 'string', computed: true, output: false, description: 'The API ID (the import ID).' },
    name: {
      type: 'string',
      required: true,
      description: 'Name of the key, unique in the org (1-64 characters).',
      validators: [nonEmptyString(64, 'a name')],
    },
    description: {
      type: 'string',
      optional: true,
      computed: true,
      default: '',
      output: false,
      description: 'What the key is for (at most 256 characters). Defaults to empty.',
      validators: [maxLength(256)],
    },
    access_level: {
      type: 'string',
      required: true,
      vendorField: 'access_level_type',
      description:
        'Access level (Carbon Black: access_level_type, formerly "Connector Type"): API (every v3 route but Notifications and Live Response), SIEM (Notifications only), LIVE_RESPONSE (what API opens plus Live Response) or CUSTOM (a custom access level, see custom_access_level_id).',
      validators: [oneOf(ACCESS_LEVELS)],
    },
    custom_access_level_id: {
      type: 'number',
      optional: true,
      description: 'ID of the custom access level; required exactly when access_level is CUSTOM, rejected otherwise.',
      validators: [integerBetween(1, 2_147_483_647)],
    },
    allowed_ip_addresses: {
      type: ['set', 'string'],
      optional: true,
      computed: true,
      default: [],
      output: 'allowedIpAddressesOutput',
      description: 'IPv4 addresses or CIDR blocks the key may be used from (at most 50); calls from elsewhere get 401. Defaults to none: usable from anywhere.',
      validators: [ipAllowList()],
    },
    rotation_period: rotationPeriod(),
    api_id: { type: 'string', computed: true, description: 'The API ID (formerly "Connector ID"), e.g. ABCD123456.' },
    api_secret_key: shownOnceSecret('The API Secret Key (formerly "API Key"). Carbon Black shows it once: null after import.'),
    x_auth_token: shownOnceSecret('The X-Auth-Token header value an integration sends: <API Secret Key>/<API ID>. Null after import.'),
    secret_issued_at: {
      type: 'string',
      computed: true,
      description:
        'When Terraform received the secret in state (RFC 3339; create or regeneration), which rotation_period counts from. Null after import, and when Carbon Black holds newer credentials than state (regenerated outside Terraform).',
    },
    created: { type: 'string', computed: true, vendorField: 'create_time', description: 'When the key was created (RFC 3339).' },
    updated: {
      type: 'string',
      computed: true,
      changesOnUpdate: true,
      vendorField: 'update_time',
      description: 'When the key was last changed at Carbon Black (RFC 3339).',
    },
  },
  rotation: { createdAt: 'secret_issued_at', inPlace: true },
  configChecks: [customLevelRule],
  importId: { format: '{id}', example: 'ABCD123456' },
  docs: {
    hcl: `resource "apiaccess_carbonblack_api_key" "siem" {
  name                 = "splunk-siem"
  access_level         = "SIEM"
  allowed_ip_addresses = ["203.0.113.0/24"]
  rotation_period      = "720h"
}

# Regenerating kills the old secret at once. For zero downtime keep two keys and rotate them
# on alternate schedules, switching the integration to the one not being rotated.
output "siem_token" {
  value     = apiaccess_carbonblack_api_key.siem.x_auth_token
  sensitive = true
}`,
    typescript: `const siem = new CarbonblackApiKey(stack, 'siem', {
  name: 'splunk-siem',
  accessLevel: 'SIEM',
  allowedIpAddresses: ['203.0.113.0/24'],
  rotationPeriod: '720h',
});
new TerraformOutput(stack, 'siem_token', { value: siem.xAuthToken, sensitive: true });`,
  },
});
