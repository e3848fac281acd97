/** Spec of the data source `apiaccess_carbonblack_api_keys`: every API key of the org, never a secret. */
import { defineDataSource, prefixFilter, resultList } from '../../../spec';
import { ACCESS_LEVELS, oneOf } from './validators';

export const apiKeysDataSpec = defineDataSource({
  typeName: 'apiaccess_carbonblack_api_keys',
  description: 'Lists the API keys of the Carbon Black org (never their secrets), optionally only one access level or names starting with a prefix.',
  attributes: {
    access_level: {
      type: 'string',
      optional: true,
      description: 'Only keys of this access level: API, SIEM, LIVE_RESPONSE or CUSTOM. Default: every level.',
      validators: [oneOf(ACCESS_LEVELS)],
    },
    name_prefix: prefixFilter({ items: 'keys', item: 'key', field: 'name', maxLength: 64 }),
    keys: resultList(
      {
        api_id: 'string',
        name: 'string',
        description: 'string',
        access_level: 'string',
        custom_access_level_id: 'number',
        allowed_ip_addresses: ['list', 'string'],
        created: 'string',
        updated: 'string',
      },
      'The keys, ordered by name: api_id, name, description, access_level (Carbon Black: access_level_type), custom_access_level_id (null unless CUSTOM), allowed_ip_addresses (sorted), created and updated (RFC 3339).',
    ),
  },
  docs: {
    hcl: `data "apiaccess_carbonblack_api_keys" "siem" {
  access_level = "SIEM"
}

output "siem_key_ids" {
  value = data.apiaccess_carbonblack_api_keys.siem.keys[*].api_id
}`,
    typescript: `const siemKeys = new DataCarbonblackApiKeys(stack, 'siem', { accessLevel: 'SIEM' });
new TerraformOutput(stack, 'siem_keys', { value: siemKeys.keys });`,
  },
});
