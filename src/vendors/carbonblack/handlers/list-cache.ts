/**
 * Reads of API keys. Plain reads for now: one GET per key (the spec framework's batched-read
 * hook replaces this).
 */
import type { CarbonBlackClient } from '../client';
import type { ApiKey } from '../types';

/** The key, or null when Carbon Black has none with this API ID. */
export async function readApiKey(client: CarbonBlackClient, apiId: string, signal: AbortSignal): Promise<ApiKey | null> {
  return client.getApiKey(apiId, signal);
}
