/**
 * Carbon Black Cloud wire shapes as the client sees them. The API-key routes are the PROPOSED v6
 * shape of the vendor facts (`/appservices/v6/orgs/{org_key}/api_keys`); every body carries the
 * vendor's `success` flag and `message`.
 */

/** Access levels ("key types"). API / SIEM / LIVE_RESPONSE are the classic types; CUSTOM points at a custom access level. */
export type AccessLevelType = 'API' | 'SIEM' | 'LIVE_RESPONSE' | 'CUSTOM';

/** The access levels the client accepts. */
export const ACCESS_LEVEL_TYPES: readonly AccessLevelType[] = ['API', 'SIEM', 'LIVE_RESPONSE', 'CUSTOM'];

/** An API key as listed or read (never with its secret). */
export interface ApiKey {
  /** The API ID (formerly "Connector ID"). */
  readonly api_id: string;
  /** Unique in the org. */
  readonly name: string;
  readonly description: string;
  readonly access_level_type: AccessLevelType;
  /** Set exactly for CUSTOM keys. */
  readonly custom_access_level_id: number | null;
  /** IPv4/IPv6 addresses or CIDR blocks the key may be used from; empty = anywhere. */
  readonly allowed_ip_addresses: readonly string[];
  /** ISO 8601. */
  readonly create_time: string;
  /** ISO 8601. */
  readonly update_time: string;
}

/** An API key with its secret, as answered once by create and by regenerate. */
export interface ApiKeyWithSecret extends ApiKey {
  /** The API Secret Key (formerly "API Key"). Shown once; store it now. */
  readonly api_secret_key: string;
}

/** Body of `POST …/api_keys`. */
export interface CreateApiKeyInput {
  readonly name: string;
  /** @default '' */
  readonly description?: string;
  readonly access_level_type: AccessLevelType;
  /** Required for CUSTOM, null otherwise. @default null */
  readonly custom_access_level_id?: number | null;
  /** @default [] (anywhere) */
  readonly allowed_ip_addresses?: readonly string[];
}

/** Body of `PUT …/api_keys/{api_id}`: fields present replace, fields absent stay (PROPOSED partial PUT). */
export interface UpdateApiKeyInput {
  readonly name?: string;
  readonly description?: string;
  readonly access_level_type?: AccessLevelType;
  readonly custom_access_level_id?: number | null;
  readonly allowed_ip_addresses?: readonly string[];
}

/** A custom access level (PROPOSED `GET …/access_levels`): what a CUSTOM key may do. */
export interface CustomAccessLevel {
  readonly id: number;
  readonly name: string;
  readonly permissions: readonly string[];
}
