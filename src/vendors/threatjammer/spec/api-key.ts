/** Spec of `apiaccess_threatjammer_api_key`: the configured user's one API key, adopted, never created from nothing. */
import { defineResource, rotationPeriod } from '../../../spec';

export const apiKeySpec = defineResource({
  typeName: 'apiaccess_threatjammer_api_key',
  version: 0,
  description:
    'The Threat Jammer API key of the user the provider is configured with. Threat Jammer gives each user exactly one key, issued at sign-up, so this resource adopts that key (nothing is created) and manages whether it is enabled and when it is regenerated. At most one per user: a second one is a plan error. Destroying it disables the key unless disable_on_destroy is false.',
  attributes: {
    id: {
      type: 'string',
      computed: true,
      output: false,
      description: "The key's region as Threat Jammer reports it (region_id, e.g. aws-eu-west-3): a user has one key per region.",
    },
    enabled: {
      type: 'bool',
      optional: true,
      computed: true,
      default: true,
      vendorField: 'status',
      output: false,
      description: 'Whether the key is enabled (Threat Jammer status ENABLED) or disabled (DISABLED). Defaults to true.',
    },
    rotation_period: {
      ...rotationPeriod(),
      description:
        'Regenerate the key once it is older than this duration, e.g. "720h" (hours, minutes, seconds). The plan then shows an in-place update of value with the warning "Rotation Due"; the old key stops working at once (Threat Jammer keeps one key per user). Unset: never.',
    },
    disable_on_destroy: {
      type: 'bool',
      optional: true,
      computed: true,
      default: true,
      output: false,
      description: 'Disable the key when the resource is destroyed (the key itself cannot be deleted). Defaults to true; false leaves it as it is.',
    },
    value: {
      type: 'string',
      computed: true,
      sensitive: true,
      description:
        'The current key (tja_ followed by 36 base-62 characters). After a rotation it is the new key: the provider uses it for the rest of the run, and the next run needs it in threatjammer_api_key (e.g. a pipeline writes it to its secret store).',
    },
    status: { type: 'string', computed: true, description: 'ENABLED or DISABLED, as Threat Jammer reports it (status).' },
    region_id: { type: 'string', computed: true, vendorField: 'region_id', description: 'The region of the key (region_id), e.g. aws-eu-west-3.' },
    created_at: { type: 'string', computed: true, description: 'When the current key was issued (RFC 3339; Threat Jammer created_at in Unix ms).' },
    updated_at: {
      type: 'string',
      computed: true,
      description: 'When the key last changed, e.g. was enabled or disabled (RFC 3339; Threat Jammer updated_at in Unix ms).',
    },
  },
  importId: { format: '{id}', example: 'aws-eu-west-3' },
  docs: {
    hcl: `resource "apiaccess_threatjammer_api_key" "key" {
  enabled         = true
  rotation_period = "720h"
}

# The next run needs the new key after a rotation: hand it to your secret store.
output "threatjammer_api_key" {
  value     = apiaccess_threatjammer_api_key.key.value
  sensitive = true
}`,
    typescript: `const key = new ThreatjammerApiKey(stack, 'key', { enabled: true, rotationPeriod: '720h' });
new TerraformOutput(stack, 'threatjammer_api_key', { value: key.value, sensitive: true });`,
  },
});
