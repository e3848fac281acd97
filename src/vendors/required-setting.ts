/** The provider-block settings a vendor cannot work without. */
import { APIACCESS_CONFIG_MISSING, ApiAccessError } from '../core/errors';
import type { VendorSettings } from '../provider/framework/provider';

/**
 * A reader of `vendor`'s required settings: the value of `<vendor>_<name>`, or a config-missing
 * error naming that setting, followed by `hint` (what to give) when there is one.
 */
export function requiredSetting(vendor: string): (settings: VendorSettings, name: string, hint?: string) => string {
  return (settings, name, hint) => {
    const v = settings[name];
    if (!v) throw new ApiAccessError(APIACCESS_CONFIG_MISSING, `${vendor}_${name} is not set${hint ? `: ${hint}` : ''}`, { field: name });
    return v;
  };
}
