/** Spec of the data source `apiaccess_silobreaker_api_keys`: the account's API keys, never their shared keys. */
import { defineDataSource, prefixFilter, resultList } from '../../../spec';

export const apiKeysDataSpec = defineDataSource({
  typeName: 'apiaccess_silobreaker_api_keys',
  description:
    'Lists the Silobreaker API keys of the account (ApiKey, Description, Created), optionally only those whose description starts with a prefix. Shared keys are never listed.',
  attributes: {
    description_prefix: prefixFilter({ items: 'keys', item: 'key', field: 'description', maxLength: 200 }),
    keys: resultList(
      { api_key: 'string', description: 'string', created: 'string' },
      'The keys, ordered by description then key: api_key (Silobreaker "ApiKey"), description ("Description") and created ("Created", ISO 8601).',
    ),
  },
  docs: {
    hcl: `data "apiaccess_silobreaker_api_keys" "feeds" {
  description_prefix = "feed "
}

output "feed_keys" {
  value = data.apiaccess_silobreaker_api_keys.feeds.keys[*].api_key
}`,
    typescript: `const feeds = new DataSilobreakerApiKeys(stack, 'feeds', { descriptionPrefix: 'feed ' });
new TerraformOutput(stack, 'feed_keys', { value: feeds.keys });`,
  },
});
