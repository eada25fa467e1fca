/** @workbench/ice-cli: the terminal front end of the ICE tester; the page is the other. */
export { parseIceArgs, UsageError, USAGE, type IceCommand, type OutputFormat } from './args.js';
export { formatPrometheus, formatTable } from './format.js';
export { EXIT, main, type MainIo } from './main.js';
export { LOOPBACK_BYTES, runIceChecks, runOutcome, type PeerConnectionConstructor, type RunOutcome, type RunResult, type RunSettings } from './run.js';
export { entriesFromCommand, entriesFromWorkbench } from './servers.js';
export { checkTls, type TlsCheckResult, type TlsProblem } from './tls-check.js';
