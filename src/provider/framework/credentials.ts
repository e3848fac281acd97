/**
 * Credential checks: a vendor's "bad credentials" answer (APIACCESS_UNAUTHORIZED naming one of
 * its settings) becomes one diagnostic about the provider setting to check, wherever it shows up:
 * at ConfigureProvider (on the setting's attribute, so `terraform plan` fails before anything
 * else) or on the first use of a vendor on the sandbox fallback (same words, no path).
 */
import { raceSignal } from '../../core/abort';
import { Diagnostics } from '../../core/diagnostics';
import { APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../core/errors';
import type { VendorProvider } from './provider';
import type { ResolvedVendor } from './settings';
import { SANDBOX_URL_ENV, settingEnvName } from './settings';

/** How long one vendor's credential check may take at ConfigureProvider. */
export const VERIFY_TIMEOUT_MS = 15_000;

/**
 * The unprefixed setting to check when `err` is `vendor` refusing its credentials
 * (APIACCESS_UNAUTHORIZED): the one `field` names, or, when it names none of the vendor's
 * settings, the vendor's last declared credential (usually the secret).
 */
export function refusedSetting(vendor: VendorProvider, err: unknown): string | undefined {
  if (!ApiAccessError.isApiAccessError(err) || err.code !== APIACCESS_UNAUTHORIZED) return undefined;
  if (err.field && Object.hasOwn(vendor.settings, err.field)) return err.field;
  return vendor.credentials.at(-1);
}

/** Where a setting's value came from, in words, for the detail. */
function origin(vendor: VendorProvider, setting: string, resolved: ResolvedVendor | undefined): string {
  switch (resolved?.sources[setting]) {
    case 'env':
      return ` (set from ${settingEnvName(vendor.name, setting)})`;
    case 'sandbox':
      return ` (the sandbox's seeded value, because ${SANDBOX_URL_ENV} or sandbox_url is set)`;
    default:
      return '';
  }
}

/** Adds the "Invalid Provider Credentials" error for `setting` of `vendor`. */
export function credentialDiagnostic(
  diags: Diagnostics,
  vendor: VendorProvider,
  setting: string,
  err: ApiAccessError,
  resolved: ResolvedVendor | undefined,
  onAttribute: boolean,
): void {
  const attr = `${vendor.name}_${setting}`;
  const others = vendor.credentials.filter((c) => c !== setting).map((c) => `${vendor.name}_${c}`);
  const said = err.message.replace(/\s+$/, '');
  diags.error(
    'Invalid Provider Credentials',
    `${vendor.name} refused the provider's credentials: ${/[.!?]$/.test(said) ? said : `${said}.`} ` +
      `Check the provider setting ${attr}${origin(vendor, setting, resolved)}${others.length > 0 ? ` together with ${others.join(' and ')}` : ''}: ` +
      'it must belong to the account and API host the provider is configured for.',
    onAttribute ? [attr] : undefined,
  );
}

/**
 * Runs `vendor.verifyCredentials` within `timeoutMs`. A refusal is an error diagnostic naming the
 * setting (on its attribute when `atConfigure`); any other failure (unreachable host, timeout) is
 * a warning at configure, and nothing on first use (the vendor call that follows reports it).
 */
export async function verifyVendorCredentials(
  vendor: VendorProvider,
  client: unknown,
  resolved: ResolvedVendor | undefined,
  stop: AbortSignal,
  timeoutMs: number,
  atConfigure: boolean,
): Promise<Diagnostics> {
  const diags = new Diagnostics();
  if (!vendor.verifyCredentials) return diags;
  const signal = AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)]);
  try {
    // A check that ignores its signal still ends when the signal does.
    await raceSignal(vendor.verifyCredentials(client, signal), signal, () =>
      signal.reason instanceof Error ? signal.reason : new Error('The credential check was cancelled.'),
    );
  } catch (err) {
    const setting = refusedSetting(vendor, err);
    if (setting) credentialDiagnostic(diags, vendor, setting, err as ApiAccessError, resolved, atConfigure);
    else if (atConfigure) {
      const message = err instanceof Error ? err.message : String(err);
      diags.warning(
        'Credentials Not Verified',
        `The ${vendor.name} credentials could not be checked within ${Math.round(timeoutMs / 1000)} s: ${message.replace(/[.\s]+$/, '')}. Operations on ${vendor.name} resources will report the problem if it persists.`,
      );
    }
  }
  return diags;
}
