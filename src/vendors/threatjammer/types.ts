/**
 * Threat Jammer's wire shapes as the client sees them (User API v1), and the typed values the
 * client returns. Times on the wire are Unix milliseconds; all numbers are integers.
 */

/** Key status values. */
export type ThreatJammerKeyStatus = 'ENABLED' | 'DISABLED';

/** `GET /v1/token` → 200 (TokenOutput). */
export interface TokenOutput {
  /** `/v1/token/<key>`: contains the key itself. */
  readonly self: string;
  readonly region_id: string;
  readonly last_month_bucket_init_value: number;
  readonly last_month_bucket_value: number;
  readonly last_month_bucket_refresh: number;
  readonly last_minute_bucket_init_value: number;
  readonly last_minute_bucket_refill_ratio: number;
  readonly last_minute_bucket_value: number;
  readonly last_minute_bucket_refresh: number;
  readonly status: ThreatJammerKeyStatus;
  readonly created_at: number;
  readonly updated_at: number;
}

/** `POST /v1/token/regenerate` → 200 (PROPOSED): the new key's TokenOutput plus the key. */
export interface RegeneratedTokenOutput extends TokenOutput {
  readonly api_key: string;
}

/** One entry of `GET /v1/token/activity`. */
export interface ActivityOutput {
  readonly self: string;
  readonly event: string;
  readonly description: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: {
    readonly address: string;
    readonly ua_string: string;
    readonly status_code: number;
    readonly uri: string;
    readonly body: string;
    readonly method: string;
  };
  readonly created_at: number;
}

/** `GET /v1/token/activity?page=&page_size=` → 200. */
export interface ActivityPageOutput {
  readonly self: string;
  readonly page: number;
  readonly page_size: number;
  readonly activities: readonly ActivityOutput[];
}

/** A handled 4xx: note the documented key `"type:"` (with a colon). */
export interface ThreatJammerErrorBody {
  readonly title?: string;
  readonly detail?: string | readonly { readonly loc?: readonly (string | number)[]; readonly msg?: string; readonly type?: string }[];
  readonly type?: string;
  readonly 'type:'?: string;
}

/** One quota bucket as the client reports it. */
export interface QuotaBucket {
  /** Bucket size (`*_init_value`). */
  readonly limit: number;
  /** Calls counted so far (`*_value`). */
  readonly used: number;
  /** Next reset, Unix milliseconds (`*_refresh`). */
  readonly resetsAtMs: number;
}

/** The key's state and quotas, from `GET /v1/token`. */
export interface ThreatJammerToken {
  /** `self` as Threat Jammer sent it: `/v1/token/<key>`, so it holds the key (a secret). */
  readonly self: string;
  readonly regionId: string;
  readonly status: ThreatJammerKeyStatus;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly month: QuotaBucket;
  readonly minute: QuotaBucket & {
    /** Calls per second given back to the bucket (`last_minute_bucket_refill_ratio`). */
    readonly refillPerSecond: number;
  };
}

/** The result of a key regeneration: the new key (store it now: nothing shows it again) and its state. */
export interface RegeneratedKey {
  readonly apiKey: string;
  readonly token: ThreatJammerToken;
}

/** One activity entry. */
export interface ThreatJammerActivity {
  readonly event: string;
  readonly description: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly source: ActivityOutput['source'];
  readonly createdAtMs: number;
}

/** A page of activity. */
export interface ThreatJammerActivityPage {
  readonly page: number;
  readonly pageSize: number;
  readonly activities: readonly ThreatJammerActivity[];
}
