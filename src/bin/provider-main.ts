/**
 * The provider itself, once its socket is listened on and the handshake line is out
 * (`./provider-launch.ts`): logging, crash handling, the engine and the gRPC server. This module
 * and everything it loads is the bundle `lib/bundle/provider.main.js`.
 */
import { createLogger, type LogLevel } from '../core/log';
import type { ProviderEngine } from '../provider/framework/engine';
import type { Listening } from '../provider/protocol/listen';
import { serveProvider } from '../provider/protocol/serve';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Serves Terraform on `listening` until Shutdown (or until Terraform is gone). */
export function runProvider(listening: Listening, debug: boolean): void {
  const wanted = (process.env.TF_LOG_PROVIDER ?? process.env.TF_LOG ?? '').toLowerCase();
  const level: LogLevel = (LEVELS as readonly string[]).includes(wanted) ? (wanted as LogLevel) : wanted === 'json' ? 'trace' : 'info';
  const logger = createLogger({ name: 'provider.terraform-provider-apiaccess', level });

  // A crash must not print a raw stack (which may quote a secret): log it redacted, then exit.
  const crash = (what: string) => (err: unknown) => {
    logger.error(what, { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  };
  process.on('uncaughtException', crash('provider crashed'));
  process.on('unhandledRejection', crash('provider crashed on an unhandled rejection'));

  // Creates are written down (with their idempotency key) below terraform's working directory before
  // they are sent, so an interrupted apply's creates are taken over by the next one. The engine, the
  // vendors and the journal are loaded at the first turn after the server is up (serveProvider calls
  // this then), so that Terraform's TLS handshake is not kept waiting for them.
  const engine = (): ProviderEngine => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { CreateJournal, locateCreateJournal } = require('../provider/framework/create-journal') as typeof import('../provider/framework/create-journal');
    const { ProviderEngine: Engine } = require('../provider/framework/engine') as typeof import('../provider/framework/engine');
    const { vendorProviders } = require('../vendors/registry') as typeof import('../vendors/registry');
    /* eslint-enable @typescript-eslint/no-require-imports */
    return new Engine(vendorProviders(), logger, process.env, { journal: new CreateJournal(locateCreateJournal(process.env, process.cwd())) });
  };
  serveProvider({ engine, logger, debug, listening, address: 'apiaccess.local/apiaccess/apiaccess' }).catch((err: unknown) => {
    logger.error('provider failed to start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
