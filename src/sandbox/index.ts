// Public entry of the sandbox: a local stand-in of CometChat's Data Import API for tests,
// benchmarks, the README demo and users' rehearsals.

export { startSandbox, type Sandbox } from './server.js';
export type { SandboxOptions } from './options.js';
export type { SandboxStats } from './stats.js';
export type { FaultOptions } from './faults.js';
export type { RocketChatSandboxOptions, RocketChatSelectionData } from './rocketchat-options.js';
