#!/usr/bin/env node
/**
 * terraform-provider-apiaccess: Terraform starts this with no arguments and talks to it over
 * plugin protocol 6. `--debug` starts it by hand and prints a TF_REATTACH_PROVIDERS line. This is
 * the unbundled program (lib/); the mirror runs the bundle through `provider-start.ts`.
 */
import { launchProvider, type ProviderMain } from './provider-launch';

// eslint-disable-next-line @typescript-eslint/no-require-imports
launchProvider(() => require('./provider-main') as ProviderMain);
