/** Spec of the data source `apiaccess_threatjammer_key_activity`: the key's activity log (`GET /v1/token/activity`). */
import { defineDataSource, integerBetween, resultList } from '../../../spec';

/** Most entries one page of the activity log holds (page_size, PROPOSED bound). */
export const MAX_ACTIVITY_LIMIT = 100;

export const keyActivityDataSpec = defineDataSource({
  typeName: 'apiaccess_threatjammer_key_activity',
  description: "The activity log of the provider's Threat Jammer API key (created, regenerated, disabled, enabled …), newest first.",
  attributes: {
    limit: {
      type: 'number',
      optional: true,
      computed: true,
      default: 20,
      description: `How many entries to read, newest first (1-${MAX_ACTIVITY_LIMIT}; Threat Jammer page_size). Defaults to 20.`,
      validators: [integerBetween(1, MAX_ACTIVITY_LIMIT, 'entries')],
    },
    activities: resultList(
      {
        event: 'string',
        description: 'string',
        created_at: 'string',
        created_at_ms: 'number',
        data_json: 'string',
        source_address: 'string',
        source_method: 'string',
        source_uri: 'string',
        source_status_code: 'number',
        source_user_agent: 'string',
      },
      'The entries, newest first: event (e.g. TOKEN_REGENERATED), description, created_at (RFC 3339) and created_at_ms (Unix ms), data_json (the data object as JSON), and the request that caused it: source_address, source_method, source_uri, source_status_code, source_user_agent (source.ua_string).',
    ),
  },
  docs: {
    hcl: `data "apiaccess_threatjammer_key_activity" "recent" {
  limit = 5
}

output "last_key_event" {
  value = data.apiaccess_threatjammer_key_activity.recent.activities[0].event
}`,
    typescript: `const recent = new DataThreatjammerKeyActivity(stack, 'recent', { limit: 5 });
new TerraformOutput(stack, 'key_events', { value: recent.activities });`,
  },
});
