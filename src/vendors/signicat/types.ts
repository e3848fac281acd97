/** Signicat's wire shapes as the client sees them (management routes are the PROPOSED shape). */

/** Secret metadata; the value is only in {@link CreatedSecret}. */
export interface SecretMetadata {
  readonly id: string;
  readonly name: string | null;
  readonly createdAt: string;
}

/** A secret as returned once, at creation. */
export interface CreatedSecret extends SecretMetadata {
  readonly secret: string;
}

export interface ApiClient {
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly accessTokenLifetime: number;
  readonly createdAt: string;
  readonly permissions: readonly string[];
  readonly secrets: readonly SecretMetadata[];
}

export interface CreateApiClientInput {
  readonly name: string;
  readonly accessTokenLifetime?: number;
}

export interface UpdateApiClientInput {
  readonly name?: string;
  readonly accessTokenLifetime?: number;
}

/** Signicat's error object. */
export interface SignicatErrorBody {
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
  readonly status?: number;
  readonly traceId?: string;
  readonly invalidParams?: readonly { readonly name: string; readonly reason: string }[];
}
