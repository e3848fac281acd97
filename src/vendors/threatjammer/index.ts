/** The Threat Jammer vendor module for the registry: its sandbox emulator (the client, in ./client, is imported where needed). */
export { createThreatJammerEmulator as emulator } from './emulator';
