#!/usr/bin/env node
/**
 * terraform-provider-apiaccess: Terraform starts this with no arguments and talks to it over
 * plugin protocol 6. `--debug` starts it by hand and prints a TF_REATTACH_PROVIDERS line.
 */
import { createLogger, type LogLevel } from '../core/log';
import type { ProviderEngine } from '../provider/framework/engine';
import { serveProvider } from '../provider/protocol/serve';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const wanted = (process.env.TF_LOG_PROVIDER ?? process.env.TF_LOG ?? '').toLowerCase();
const level: LogLevel = (LEVELS as readonly string[]).includes(wanted) ? (wanted as LogLevel) : wanted === 'json' ? 'trace' : 'info';
const logger = createLogger({ name: 'provider.terraform-provider-apiaccess', level });

// Terraform gone (pipes closed): nobody reads stdout/stderr any more; the parent watch exits.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
// A crash must not print a raw stack (which may quote a secret): log it redacted, then exit.
const crash = (what: string) => (err: unknown) => {
  logger.error(what, { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
};
process.on('uncaughtException', crash('provider crashed'));
process.on('unhandledRejection', crash('provider crashed on an unhandled rejection'));

// Creates are written down (with their idempotency key) below terraform's working directory before
// they are sent, so an interrupted apply's creates are taken over by the next one. The engine, the
// vendors and the journal are loaded once the handshake line is out (serveProvider calls this then).
const engine = (): ProviderEngine => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { CreateJournal, locateCreateJournal } = require('../provider/framework/create-journal') as typeof import('../provider/framework/create-journal');
  const { ProviderEngine: Engine } = require('../provider/framework/engine') as typeof import('../provider/framework/engine');
  const { vendorProviders } = require('../vendors/registry') as typeof import('../vendors/registry');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new Engine(vendorProviders(), logger, process.env, { journal: new CreateJournal(locateCreateJournal(process.env, process.cwd())) });
};
serveProvider({ engine, logger, debug: process.argv.includes('--debug'), address: 'apiaccess.local/apiaccess/apiaccess' }).catch((err: unknown) => {
  logger.error('provider failed to start', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
