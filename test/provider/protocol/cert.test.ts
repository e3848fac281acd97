import * as crypto from 'crypto';
import { execFileSync, spawnSync } from 'child_process';
import * as tls from 'tls';
import { AddressInfo } from 'net';

import { generateServerCertificate, handshakeCertField } from '../../../src/provider/protocol/cert';

const THIRTY_YEARS_MS = 262980 * 60 * 60 * 1000;

/** openssl checks the certificate independently of Node; .ci/run installs it when it is missing. */
function requireOpenssl(): void {
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('openssl is not on the PATH: these tests need it to check the certificate (install the openssl package; .ci/run does).');
  }
}

function opensslText(der: Buffer): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-text'], { input: der, encoding: 'utf8' });
}

function opensslSerial(der: Buffer): string {
  return execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-serial'], { input: der, encoding: 'utf8' }).trim();
}

/** Returns the header length of the DER element starting at `offset`. */
function headerLength(der: Buffer, offset: number): number {
  const first = der[offset + 1];
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

/** Content bytes of tbsCertificate.serialNumber (after the [0] version). */
function serialContent(der: Buffer): Buffer {
  let offset = headerLength(der, 0); // Certificate SEQUENCE
  offset += headerLength(der, offset); // tbsCertificate SEQUENCE
  expect(der.subarray(offset, offset + 5)).toEqual(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
  offset += 5;
  expect(der[offset]).toBe(0x02);
  const len = der[offset + 1];
  return der.subarray(offset + 2, offset + 2 + len);
}

describe('generateServerCertificate', () => {
  const now = new Date();
  const generated = generateServerCertificate(now);
  const x509 = new crypto.X509Certificate(generated.certPem);

  it('produces a PEM certificate that matches the DER bytes', () => {
    expect(generated.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(generated.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(x509.raw.equals(generated.der)).toBe(true);
    expect(new crypto.X509Certificate(generated.der).fingerprint256).toBe(x509.fingerprint256);
  });

  it('uses O=HashiCorp, CN=localhost as subject and issuer', () => {
    for (const name of [x509.subject, x509.issuer]) {
      expect(name.split('\n')).toEqual(['O=HashiCorp', 'CN=localhost']);
    }
  });

  it('has SAN DNS:localhost, CA:TRUE and serverAuth/clientAuth EKUs', () => {
    expect(x509.subjectAltName).toBe('DNS:localhost');
    expect(x509.ca).toBe(true);
    // Node exposes the extended key usage OIDs as `keyUsage`.
    expect(x509.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });

  it('is an ECDSA P-256 certificate whose key matches and whose self-signature verifies', () => {
    const key = crypto.createPrivateKey(generated.keyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.checkPrivateKey(key)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkIssued(x509)).toBe(true);
  });

  it('is valid from now - 30 s to now + 30 years', () => {
    const from = Date.parse(x509.validFrom);
    const to = Date.parse(x509.validTo);
    expect(Number.isNaN(from)).toBe(false);
    expect(Number.isNaN(to)).toBe(false);
    expect(Math.abs(from - (now.getTime() - 30_000))).toBeLessThan(3_000);
    expect(Math.abs(to - (now.getTime() + THIRTY_YEARS_MS))).toBeLessThan(3_000);
  });

  it('encodes validity with UTCTime before 2050 and GeneralizedTime from 2050 on', () => {
    const der = generateServerCertificate(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678))).der;
    const utc = Buffer.from('\x17\x0d300102030335Z', 'latin1'); // notBefore = now - 30 s
    const gen = Buffer.from('\x18\x0f20600102150405Z', 'latin1'); // notAfter = +262980 h (10957.5 days)
    expect(der.includes(utc)).toBe(true);
    expect(der.includes(gen)).toBe(true);
  });

  it('rejects an invalid date', () => {
    expect(() => generateServerCertificate(new Date(NaN))).toThrow(RangeError);
  });

  it('is described by openssl as expected', () => {
    requireOpenssl();
    const text = opensslText(generated.der);
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment, Key Agreement, Certificate Sign/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toContain('DNS:localhost');

    const other = generateServerCertificate();
    expect(opensslSerial(other.der)).not.toBe(opensslSerial(generated.der));
    expect(x509.serialNumber).not.toBe(new crypto.X509Certificate(other.der).serialNumber);
  });

  it('parses strictly with openssl asn1parse', () => {
    requireOpenssl();
    // -strictpem is irrelevant for DER; asn1parse fails on any malformed length or tag.
    const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER'], { input: generated.der, encoding: 'utf8' });
    expect(out).toContain('ecdsa-with-SHA256');
    expect(out).toContain('GENERALIZEDTIME');
  });

  it('always produces a minimal positive serial of at most 16 bytes', () => {
    for (let i = 0; i < 200; i++) {
      const serial = serialContent(generateServerCertificate().der);
      expect(serial.length).toBeGreaterThanOrEqual(1);
      expect(serial.length).toBeLessThanOrEqual(16);
      expect(serial[0] & 0x80).toBe(0); // positive
      if (serial.length > 1) expect(serial[0] === 0 && serial[1] < 0x80).toBe(false); // minimal
      expect(serial.some((b) => b !== 0)).toBe(true);
    }
  });
});

describe('handshakeCertField', () => {
  it('is unpadded standard base64 of the DER', () => {
    for (let i = 0; i < 10; i++) {
      const { der } = generateServerCertificate();
      const field = handshakeCertField(der);
      expect(field).not.toContain('=');
      expect(field).not.toMatch(/[-_]/);
      expect(field).toMatch(/^[A-Za-z0-9+/]+$/);
      const padding = '='.repeat((4 - (field.length % 4)) % 4);
      expect(Buffer.from(field + padding, 'base64').equals(der)).toBe(true);
    }
  });

  it('strips padding for every length remainder', () => {
    expect(handshakeCertField(Buffer.from([0xfb]))).toBe('+w');
    expect(handshakeCertField(Buffer.from([0xfb, 0xff]))).toBe('+/8');
    expect(handshakeCertField(Buffer.from([0xfb, 0xff, 0xbf]))).toBe('+/+/');
  });
});

describe('TLS round trip', () => {
  it('is accepted by a TLS client that trusts only the generated certificate', async () => {
    const { keyPem, certPem } = generateServerCertificate();
    const server = tls.createServer({ key: keyPem, cert: certPem }, (socket) => {
      socket.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await new Promise<{ authorized: boolean; error: Error | undefined; data: string }>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: certPem, servername: 'localhost' }, () => {
          let data = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => (data += chunk));
          socket.on('end', () => {
            resolve({ authorized: socket.authorized, error: socket.authorizationError, data });
            socket.destroy();
          });
        });
        socket.on('error', reject);
      });
      expect(result.error).toBeFalsy();
      expect(result.authorized).toBe(true);
      expect(result.data).toBe('hello');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
