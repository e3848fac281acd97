#!/usr/bin/env node
/** `npm run sandbox -- --port N`: runs the vendor sandbox on 127.0.0.1 and prints its base URL. */
import { Sandbox } from '../sandbox/server';
import { vendorEmulators } from '../vendors/registry';

function portArg(argv: readonly string[]): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--port='))?.slice(7);
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a whole number from 0 to 65535 (got "${raw}")\n`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  const sandbox = await Sandbox.start({ emulators: vendorEmulators(), port: portArg(process.argv.slice(2)) });
  process.stdout.write(`${sandbox.baseUrl}\n`);
  process.stderr.write(
    `apiaccess sandbox listening on ${sandbox.baseUrl} (Ctrl-C to stop). Point the provider at it with APIACCESS_SANDBOX_URL=${sandbox.baseUrl}\n`,
  );
  const stop = (): void => void sandbox.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
