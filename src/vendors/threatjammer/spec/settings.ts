/** Spec of Threat Jammer's provider settings (`threatjammer_<setting>` in the provider block). */
import { defineSettings, type Validator } from '../../../spec';
import { threatJammerKey } from './key-format';

/** The only public region. */
export const THREATJAMMER_DEFAULT_REGION = 'dublin';

/** The User API host of a region: `https://<region>.api.threatjammer.com`. */
export function threatJammerHost(region: string): string {
  return `https://${region}.api.threatjammer.com`;
}

const regionName: Validator = (v) =>
  typeof v === 'string' && !/^[a-z][a-z0-9-]{0,30}$/.test(v)
    ? `is "${v}"; it must be a region name in lowercase letters, digits and dashes (the only public region is "${THREATJAMMER_DEFAULT_REGION}").`
    : undefined;

export const threatJammerSettingsSpec = defineSettings('threatjammer', {
  api_key: {
    type: 'string',
    optional: true,
    sensitive: true,
    description:
      "The user's Threat Jammer API key (tja_ followed by 36 base-62 characters), sent as Authorization: Bearer. After the provider regenerates it, the new key is in the state of apiaccess_threatjammer_api_key: give that to the next run.",
    validators: [threatJammerKey()],
  },
  region: {
    type: 'string',
    optional: true,
    description: `Region of the key; picks the API host https://<region>.api.threatjammer.com (default ${THREATJAMMER_DEFAULT_REGION}). Keys are region-specific.`,
    validators: [regionName],
  },
  base_url: {
    type: 'string',
    optional: true,
    description: `Threat Jammer User API host; overrides threatjammer_region (default ${threatJammerHost(THREATJAMMER_DEFAULT_REGION)}).`,
  },
});
