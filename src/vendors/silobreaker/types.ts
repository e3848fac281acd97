/**
 * Silobreaker's wire shapes as the client sees them (PascalCase, as the vendor writes them).
 * Shapes marked PROPOSED are not documented by the vendor (see the vendor README).
 */

/** An API key as listed (PROPOSED): the shared key is never listed. */
export interface ApiKeyInfo {
  readonly ApiKey: string;
  readonly Description: string;
  /** ISO time. */
  readonly Created: string;
}

/** A newly created API key (PROPOSED): the only answer that carries the shared key. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly SharedKey: string;
}

/** Input of `POST /v1/apikeys` (PROPOSED). */
export interface CreateApiKeyInput {
  /** Free text describing the key (not an identity: keys are identified by the create that made them). */
  readonly Description: string;
}

/** One search hit (sandbox shape; the real API returns many more fields). */
interface SilobreakerDocument {
  readonly Id: string;
  readonly Description: string;
  readonly PublicationDate: string;
  readonly SourceUrl: string;
  readonly Entities: readonly string[];
}

/** A document search answer. */
export interface DocumentSearchResult {
  readonly Items: readonly SilobreakerDocument[];
  readonly TotalCount: number;
}
