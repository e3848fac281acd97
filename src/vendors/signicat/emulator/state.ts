/**
 * The Signicat emulator's own model of the API (written from the vendor's public API docs,
 * independent of the client): accounts, API clients with hashed secrets, permissions, lifetimes,
 * and issued access tokens.
 */
import { createHash } from 'node:crypto';
import { pick, randomAlnum } from '../../../sandbox/util';

interface SecretRecord {
  id: string;
  name: string | null;
  createdAt: string;
  /** sha256 of the secret; the value itself is never stored. */
  sha256: string;
}

export interface ClientRecord {
  id: string;
  name: string;
  accountId: string;
  accessTokenLifetime: number;
  createdAt: string;
  permissions: string[];
  secrets: SecretRecord[];
}

interface TokenRecord {
  clientId: string;
  expiresAt: number;
}

export interface SignicatState {
  accountId: string;
  clients: ClientRecord[];
  /** sha256(token) → record */
  tokens: Record<string, TokenRecord>;
}

/** The seed's example client, which manages the others. */
export const SEED_CLIENT_ID = 'sandbox-round-apple-123';
export const SEED_CLIENT_SECRET = 'fakeCl13n7S3Cr3T1234567890';
export const SEED_ACCOUNT_ID = 'a-spge-sandbox00000000000001';
/** The permission that lets a client call the API-client management routes. */
export const MANAGE_PERMISSION = 'api-clients:manage';

/** Products and actions a permission may name (`<product>:<action>`). */
export const PERMISSION_CATALOG: Readonly<Record<string, readonly string[]>> = {
  'api-clients': ['read', 'manage'],
  authentication: ['read', 'write'],
  'digital-evidence': ['read'],
  'document-storage': ['read', 'write'],
  'electronic-signatures': ['read', 'write'],
  'fraud-prevention': ['read', 'write'],
  'identity-verification': ['read', 'write'],
  sessions: ['read', 'write'],
};

export const MIN_LIFETIME = 1;
export const MAX_LIFETIME = 3600;
export const DEFAULT_LIFETIME = 600;

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function seedState(now: number): SignicatState {
  return {
    accountId: SEED_ACCOUNT_ID,
    clients: [
      {
        id: SEED_CLIENT_ID,
        name: 'sandbox managing client',
        accountId: SEED_ACCOUNT_ID,
        accessTokenLifetime: DEFAULT_LIFETIME,
        createdAt: new Date(now).toISOString(),
        permissions: [MANAGE_PERMISSION],
        secrets: [{ id: 'seed-secret', name: 'seed', createdAt: new Date(now).toISOString(), sha256: sha256(SEED_CLIENT_SECRET) }],
      },
    ],
    tokens: {},
  };
}

const WORDS_A = ['round', 'tricky', 'energetic', 'quiet', 'brave', 'lucky', 'sunny', 'rapid', 'gentle', 'bold'];
const WORDS_B = ['apple', 'turtle', 'sail', 'river', 'falcon', 'maple', 'comet', 'harbor', 'meadow', 'pebble'];

/** A client ID in Signicat's shape: `sandbox-<word>-<word>-<3 digits>`, unused in `state`. */
export function newClientId(state: SignicatState): string {
  for (;;) {
    const id = `sandbox-${pick(WORDS_A)}-${pick(WORDS_B)}-${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
    if (!state.clients.some((c) => c.id === id)) return id;
  }
}

/** A secret as Signicat issues them: 48 characters of [A-Za-z0-9]. */
export function newSecretValue(): string {
  return randomAlnum(48);
}

/** Validates a restored state document; throws with the offending field. */
export function assertState(doc: unknown): asserts doc is SignicatState {
  const fail = (what: string): never => {
    throw new Error(`signicat state: ${what}`);
  };
  if (!doc || typeof doc !== 'object') fail('expected an object');
  const s = doc as Record<string, unknown>;
  if (typeof s.accountId !== 'string') fail('"accountId" must be a string');
  if (!Array.isArray(s.clients)) fail('"clients" must be an array');
  if (!s.tokens || typeof s.tokens !== 'object') fail('"tokens" must be an object');
  const ids = new Set<string>();
  for (const [i, c] of (s.clients as unknown[]).entries()) {
    const r = c as Record<string, unknown>;
    if (typeof r?.id !== 'string' || typeof r.name !== 'string' || typeof r.accountId !== 'string') fail(`clients[${i}] needs id, name, accountId strings`);
    if (ids.has(r.id as string)) fail(`clients[${i}].id "${String(r.id)}" is not unique`);
    ids.add(r.id as string);
    const lifetime = r.accessTokenLifetime;
    if (typeof lifetime !== 'number' || !Number.isInteger(lifetime) || lifetime < MIN_LIFETIME || lifetime > MAX_LIFETIME) {
      fail(`clients[${i}].accessTokenLifetime must be a whole number from ${MIN_LIFETIME} to ${MAX_LIFETIME}`);
    }
    if (!Array.isArray(r.permissions) || !Array.isArray(r.secrets)) fail(`clients[${i}] needs permissions and secrets arrays`);
    if ((r.permissions as unknown[]).some((p) => typeof p !== 'string')) fail(`clients[${i}].permissions must be strings`);
    for (const [j, sec] of (r.secrets as unknown[]).entries()) {
      const x = sec as Record<string, unknown>;
      if (typeof x?.id !== 'string' || typeof x.sha256 !== 'string') fail(`clients[${i}].secrets[${j}] needs id and sha256`);
    }
  }
}
