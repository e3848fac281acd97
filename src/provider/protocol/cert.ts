/**
 * Self-signed server certificate for go-plugin's AutoMTLS handshake.
 *
 * Terraform (go-plugin) expects the plugin to present a certificate built from
 * one fixed template (see go-plugin's `generateCert`). Loading a general X.509
 * library costs more than the whole certificate generation, so this module
 * contains a tiny DER encoder that produces exactly that one template using
 * only Node's built-in `crypto`.
 */
import * as crypto from 'crypto';

/** Key pair and self-signed certificate presented to Terraform for AutoMTLS. */
export interface ServerCertificate {
  /** PEM-encoded private key (PKCS#8) */
  readonly keyPem: string;
  /** PEM-encoded certificate */
  readonly certPem: string;
  /** DER bytes of the certificate */
  readonly der: Buffer;
}

// ---------------------------------------------------------------------------
// Minimal DER encoding helpers (private)
// ---------------------------------------------------------------------------

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_OID = 0x06;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;

/** Encodes a DER length (short form below 128, otherwise minimal long form). */
function derLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Tag-length-value with a single-byte tag. */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0] : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(TAG_SEQUENCE, ...items);
const set = (...items: Buffer[]): Buffer => tlv(TAG_SET, ...items);
const octetString = (content: Buffer): Buffer => tlv(TAG_OCTET_STRING, content);
const booleanTrue = (): Buffer => tlv(TAG_BOOLEAN, Buffer.from([0xff]));
/** [n] EXPLICIT, constructed context-specific tag. */
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT, primitive context-specific tag. */
const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** Encodes a non-negative big-endian magnitude as a minimal, positive DER INTEGER. */
function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let content = magnitude.subarray(start);
  if (content.length === 0) content = Buffer.from([0]);
  if (content[0] & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return tlv(TAG_INTEGER, content);
}

/** Encodes an OBJECT IDENTIFIER from its dotted form, e.g. "2.5.4.3". */
function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) {
    throw new Error(`invalid OID: ${dotted}`);
  }
  const bytes: number[] = [];
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  for (const value of values) {
    const chunk: number[] = [value % 128];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v % 128));
    bytes.push(...chunk);
  }
  return tlv(TAG_OID, Buffer.from(bytes));
}

/** BIT STRING with the given number of unused trailing bits in the last byte. */
function bitString(content: Buffer, unusedBits = 0): Buffer {
  return tlv(TAG_BIT_STRING, Buffer.from([unusedBits]), content);
}

const printableString = (s: string): Buffer => tlv(TAG_PRINTABLE_STRING, Buffer.from(s, 'ascii'));

/** RFC 5280 §4.1.2.5: UTCTime for 1950..2049, GeneralizedTime otherwise; seconds, 'Z'. */
function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const rest = p2(date.getUTCMonth() + 1) + p2(date.getUTCDate()) + p2(date.getUTCHours()) + p2(date.getUTCMinutes()) + p2(date.getUTCSeconds()) + 'Z';
  if (year >= 1950 && year < 2050) {
    return tlv(TAG_UTC_TIME, Buffer.from(p2(year % 100) + rest, 'ascii'));
  }
  if (year < 0 || year > 9999) throw new RangeError(`year out of range for X.509: ${year}`);
  return tlv(TAG_GENERALIZED_TIME, Buffer.from(String(year).padStart(4, '0') + rest, 'ascii'));
}

// ---------------------------------------------------------------------------
// Fixed template parts (identical for every certificate, built once)
// ---------------------------------------------------------------------------

/** ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2). */
const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** O=HashiCorp, CN=localhost — one SET per attribute, as Go's pkix.Name marshals it. */
const NAME = sequence(set(sequence(oid('2.5.4.10'), printableString('HashiCorp'))), set(sequence(oid('2.5.4.3'), printableString('localhost'))));

/**
 * keyUsage bits: digitalSignature(0), keyEncipherment(2), keyAgreement(4),
 * keyCertSign(5) → 1010 1100 = 0xAC; the last set bit is bit 5, so 2 unused bits.
 */
const KEY_USAGE_EXT = sequence(oid('2.5.29.15'), booleanTrue(), octetString(bitString(Buffer.from([0xac]), 2)));

const EXT_KEY_USAGE_EXT = sequence(oid('2.5.29.37'), octetString(sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))));

const BASIC_CONSTRAINTS_EXT = sequence(oid('2.5.29.19'), booleanTrue(), octetString(sequence(booleanTrue())));

/** subjectAltName: dNSName [2] IMPLICIT IA5String "localhost". */
const SUBJECT_ALT_NAME_EXT = sequence(oid('2.5.29.17'), octetString(sequence(implicitPrimitive(2, Buffer.from('localhost', 'ascii')))));

const EXTENSIONS = explicit(3, sequence(KEY_USAGE_EXT, EXT_KEY_USAGE_EXT, BASIC_CONSTRAINTS_EXT, SUBJECT_ALT_NAME_EXT));

const VERSION_V3 = explicit(0, tlv(TAG_INTEGER, Buffer.from([2])));

/** go-plugin: NotBefore = now − 30 s, NotAfter = now + 262980 h (30 years). */
const NOT_BEFORE_OFFSET_MS = 30 * 1000;
const NOT_AFTER_OFFSET_MS = 262980 * 60 * 60 * 1000;

/** Random positive serial of at most 16 bytes (high bit clear, never zero). */
function randomSerial(): Buffer {
  for (;;) {
    const bytes = crypto.randomBytes(16);
    bytes[0] &= 0x7f;
    if (bytes.some((b) => b !== 0)) return unsignedInteger(bytes);
  }
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Generates an ECDSA P-256 key and a self-signed certificate in go-plugin's template.
 *
 * The certificate has subject = issuer = `O=HashiCorp, CN=localhost`, SAN
 * `DNS:localhost`, `CA:TRUE`, key usages digitalSignature/keyEncipherment/
 * keyAgreement/keyCertSign, extended key usages serverAuth/clientAuth and is
 * valid from `now − 30 s` to `now + 30 years`.
 *
 * @param now reference time (defaults to the current time); sub-second precision is dropped.
 */
export function generateServerCertificate(now: Date = new Date()): ServerCertificate {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('generateServerCertificate: invalid date');

  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });

  const tbs = sequence(
    VERSION_V3,
    randomSerial(),
    ECDSA_WITH_SHA256,
    NAME,
    sequence(time(new Date(nowMs - NOT_BEFORE_OFFSET_MS)), time(new Date(nowMs + NOT_AFTER_OFFSET_MS))),
    NAME,
    spki,
    EXTENSIONS,
  );
  // For EC keys Node returns the DER-encoded ECDSA-Sig-Value (dsaEncoding 'der').
  const signature = crypto.sign('sha256', tbs, privateKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));

  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certPem: toPem('CERTIFICATE', der),
    der,
  };
}

/**
 * Standard base64 (alphabet +/) of the DER with NO '=' padding, as go-plugin's handshake line wants.
 *
 * go-plugin decodes the sixth field of the handshake line with
 * `base64.RawStdEncoding`, which rejects padding.
 */
export function handshakeCertField(der: Buffer): string {
  return der.toString('base64').replace(/=+$/, '');
}
