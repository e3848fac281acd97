/** Spec of `apiaccess_silobreaker_api_key`. */
import { defineResource, nonEmptyString, rotationPeriod, shownOnceSecret } from '../../../spec';

export const apiKeySpec = defineResource({
  typeName: 'apiaccess_silobreaker_api_key',
  version: 0,
  description:
    'A Silobreaker API key (ApiKey) with its shared key (SharedKey), the secret every API URL is signed with. Silobreaker shows the shared key once, at creation; it is kept in state as a sensitive value. There is no update route: any change of description replaces the key.',
  attributes: {
    id: { type: 'string', computed: true, output: false, description: 'The API key itself (same as api_key).' },
    description: {
      type: 'string',
      required: true,
      requiresReplace: true,
      vendorField: 'Description',
      description: 'Free text describing the key (Silobreaker "Description", 1-200 characters). A change replaces the key.',
      validators: [nonEmptyString(200, 'a description')],
    },
    rotation_period: rotationPeriod(),
    api_key: {
      type: 'string',
      computed: true,
      vendorField: 'ApiKey',
      description: 'The public API key, sent as the apiKey URL parameter (Silobreaker "ApiKey").',
    },
    shared_key: shownOnceSecret(
      'The shared secret digests are made with (Silobreaker "SharedKey"). Empty after import: Silobreaker never shows it again.',
      'SharedKey',
    ),
    created: { type: 'string', computed: true, vendorField: 'Created', description: 'When the key was created (Silobreaker "Created", ISO 8601).' },
  },
  rotation: { createdAt: 'created' },
  importId: { format: '{api_key}', example: 'MyApiKey' },
  docs: {
    hcl: `resource "apiaccess_silobreaker_api_key" "feeds" {
  description     = "threat feed ingestion"
  rotation_period = "720h"

  # An account may hold several keys: the new one exists before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

output "feeds_shared_key" {
  value     = apiaccess_silobreaker_api_key.feeds.shared_key
  sensitive = true
}`,
    typescript: `const key = new SilobreakerApiKey(stack, 'feeds', {
  description: 'threat feed ingestion',
  rotationPeriod: '720h',
  lifecycle: { createBeforeDestroy: true },
});
new TerraformOutput(stack, 'feeds_shared_key', { value: key.sharedKey, sensitive: true });`,
  },
});
