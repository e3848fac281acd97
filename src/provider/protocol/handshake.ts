/** go-plugin's launch contract: the magic cookie, the protocol version, and the handshake line. */

/** Terraform's plugin magic cookie (go-plugin HandshakeConfig of Terraform providers). */
export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** The application protocol this provider speaks. */
export const PROTOCOL_VERSION = 6;
/** go-plugin core protocol version. */
const CORE_PROTOCOL_VERSION = 1;

/** Checks the cookie and the offered versions; returns a message when we must not start. */
export function checkLaunch(env: NodeJS.ProcessEnv): string | undefined {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return (
      'This binary is a plugin. These are not meant to be executed directly.\n' +
      'Please execute the program that consumes these plugins, which will load any plugins automatically.\n' +
      '(For debugging, start it with --debug and use the TF_REATTACH_PROVIDERS line it prints.)'
    );
  }
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(PROTOCOL_VERSION)).split(',').map((v) => v.trim());
  if (!offered.includes(String(PROTOCOL_VERSION))) {
    return `This provider speaks plugin protocol ${PROTOCOL_VERSION}; Terraform offered ${offered.join(', ')}. Use Terraform 1.0 or later.`;
  }
  return undefined;
}

/** `CORE|APP|NETWORK|ADDR|PROTOCOL|CERT` — the first and only line we write to stdout. */
export function handshakeLine(network: 'unix' | 'tcp', address: string, certField: string): string {
  return `${CORE_PROTOCOL_VERSION}|${PROTOCOL_VERSION}|${network}|${address}|grpc|${certField}\n`;
}

/** Parses a handshake line (tests and tools). */
export function parseHandshakeLine(line: string): { core: number; app: number; network: string; address: string; protocol: string; cert: string } {
  const parts = line.trim().split('|');
  if (parts.length < 6) throw new Error(`handshake line has ${parts.length} fields, expected 6`);
  return {
    core: Number(parts[0]),
    app: Number(parts[1]),
    network: parts[2]!,
    address: parts[3]!,
    protocol: parts[4]!,
    cert: parts[5]!,
  };
}
