/**
 * Signal Sciences (Fastly Next-Gen WAF) wire shapes, as the client reads and writes them. Corp and
 * CorpUser follow recorded real responses; the token object and the token routes are PROPOSED
 * (the console manages tokens; there is no public reference).
 */

/** Error bodies: `{"message": "..."}`. */
export interface SigSciErrorBody {
  readonly message?: string;
}

/** The corp-wide API access token settings (three fields of the Corp object). */
export interface SigSciTokenSettings {
  /** Seconds after each token's creation when it expires; 0 = never. Applied retroactively. */
  readonly apiTokenMaxAge: number;
  /** "Restrict access by user": only users with `accessTokenAllowed` may create and use tokens. */
  readonly restrictedAccessTokens: boolean;
  /** IPv4 addresses and CIDR ranges tokens may be used from; empty = anywhere. */
  readonly apiAllowedIPs: readonly string[];
}

/** A change to the token settings; fields left out stay as they are. */
export type SigSciTokenSettingsUpdate = Partial<SigSciTokenSettings>;

/** The Corp object (the fields the client relies on; the vendor sends more). */
export interface SigSciCorp extends SigSciTokenSettings {
  readonly name: string;
  readonly displayName: string;
  /** RFC 3339. */
  readonly created: string;
  readonly authType: string;
  /** Seconds. */
  readonly sessionMaxAgeDashboard: number;
}

/** Corp roles. */
export type SigSciRole = 'owner' | 'admin' | 'user' | 'observer';

/** The CorpUser object (the fields the client relies on). */
export interface SigSciCorpUser {
  readonly name: string;
  readonly email: string;
  readonly role: SigSciRole;
  readonly status: string;
  /** "Allow this user to create API access tokens"; only enforced while the corp restricts tokens. */
  readonly accessTokenAllowed: boolean;
  readonly apiUser: boolean;
  readonly created: string;
}

/** Live status of a token. */
export type SigSciTokenStatus = 'active' | 'expired' | 'disabled';

/** A personal API access token, as listed (PROPOSED shape). Never carries the value. */
export interface SigSciApiToken {
  /** 24 hex characters. */
  readonly id: string;
  readonly name: string;
  /** E-mail of the owning user. */
  readonly createdBy: string;
  /** RFC 3339. */
  readonly created: string;
  /** RFC 3339, or '' when never used. */
  readonly lastUsed: string;
  readonly lastUsedIP: string;
  readonly lastUsedUserAgent: string;
  /** RFC 3339 (`created + apiTokenMaxAge`), or '' when tokens do not expire. */
  readonly expires: string;
  readonly status: SigSciTokenStatus;
}

/** The answer to a create: the token plus its value, shown this once. */
export interface SigSciCreatedApiToken extends SigSciApiToken {
  readonly token: string;
}
