/**
 * How both provider programs start (the mirror's `provider-start.ts` and the unbundled
 * `terraform-provider-apiaccess.ts`): check go-plugin's launch contract, listen and write the
 * handshake line with Node's built-ins only (`listen.ts`), and only then load the provider
 * (`provider-main.ts`), in the same turn of the event loop, while Terraform reads the line and dials.
 */
import { unlinkSync } from 'node:fs';
import { checkLaunch } from '../provider/protocol/handshake';
import { listenForTerraform } from '../provider/protocol/listen';
import type { runProvider } from './provider-main';

/** What the provider bundle exports. */
export interface ProviderMain {
  readonly runProvider: typeof runProvider;
}

/** Starts the provider; `load` loads `provider-main` (from lib/ or through the code cache). */
export function launchProvider(load: () => ProviderMain): void {
  const debug = process.argv.includes('--debug');
  // Terraform gone (pipes closed): nobody reads stdout/stderr any more; the parent watch exits.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  // Terraform shares our process group: Ctrl-C reaches us too. Terraform sends StopProvider instead.
  process.on('SIGINT', () => undefined);
  const fail = (message: string): void => {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  };
  const refused = debug ? undefined : checkLaunch(process.env);
  if (refused) return fail(refused);
  let socketPath: string | undefined;
  const removeSocket = (): void => {
    try {
      if (socketPath) unlinkSync(socketPath);
    } catch {
      // already gone
    }
  };
  // Until the provider has its own handler (it closes the server, then exits 0): the same, early.
  const early = (): void => {
    removeSocket();
    process.exit(0);
  };
  process.on('SIGTERM', early);
  listenForTerraform({ env: process.env, debug }).then(
    (listening) => {
      socketPath = listening.socketPath;
      let main: ProviderMain;
      try {
        main = load();
      } catch (err) {
        removeSocket();
        return fail(`apiaccess: the provider could not load: ${err instanceof Error ? err.message : String(err)}`);
      }
      main.runProvider(listening, debug);
      process.off('SIGTERM', early);
    },
    (err: unknown) => fail(`apiaccess: the provider could not listen on its socket: ${err instanceof Error ? err.message : String(err)}`),
  );
}
