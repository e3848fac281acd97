/**
 * Redaction: every secret the process learns (credentials, issued secrets, tokens) is registered
 * here, and every log line and error message that leaves the process passes through `redact`.
 */

const MIN_SECRET_LENGTH = 6;
const secrets = new Set<string>();

/** Remembers `value` as a secret so that {@link redact} masks it from now on. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** Forgets all registered secrets (tests only). */
export function clearRegisteredSecrets(): void {
  secrets.clear();
}

const SENSITIVE_KEYS =
  /^(authorization|x-auth-token|x-api-token|cookie|set-cookie|client_secret|clientsecret|secret|password|newpassword|token|access_token|apikey|api_key|digest|sharedkey|shared_key|value|key)$/i;

/** Masks every registered secret (and its URL-encoded form) inside `text`. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains a shorter one is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    for (const form of [s, encodeURIComponent(s)]) {
      if (out.includes(form)) out = out.split(form).join('[REDACTED]');
    }
  }
  // Bearer/Basic credentials and well-known query parameters, even when not registered.
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]');
  out = out.replace(/([?&](?:apiKey|digest|client_secret|access_token)=)[^&\s"']+/gi, '$1[REDACTED]');
  return out;
}

/** Returns a copy of a JSON-like value where sensitive keys are masked and registered secrets removed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEYS.test(k) && v !== null && v !== undefined && v !== '' ? '[REDACTED]' : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
