/** Threat Jammer's parameters of the shared auth schemes (the schemes themselves are in src/auth). */
import type { BearerKeyFormat } from '../../auth/bearer-key';

/** Threat Jammer's key format: `tja_` + 36 base-62 characters. */
export const THREATJAMMER_KEY_FORMAT: BearerKeyFormat = { prefix: 'tja_', payloadLength: 36, vendor: 'Threat Jammer' };
