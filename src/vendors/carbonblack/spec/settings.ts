/** Spec of Carbon Black's provider settings (`carbonblack_<setting>` in the provider block). */
import { defineSettings } from '../../../spec';

export const carbonBlackSettingsSpec = defineSettings('carbonblack', {
  base_url: {
    type: 'string',
    optional: true,
    description:
      "The API host of the org's environment, e.g. https://defense.conferdeploy.net (Prod 02) or https://defense-eu.conferdeploy.net (EU): a key only works on its own environment. No default.",
  },
  org_key: { type: 'string', optional: true, description: 'The org key (e.g. ABCD1234), shown in the console under Settings > API Access.' },
  api_id: {
    type: 'string',
    optional: true,
    description: 'API ID (formerly "Connector ID") of the managing key: a CUSTOM key whose access level may manage API keys.',
  },
  api_secret_key: { type: 'string', optional: true, sensitive: true, description: 'API Secret Key (formerly "API Key") of the managing key.' },
});
