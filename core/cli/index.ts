/** `remotetask/cli`: what plugins use to add commands to the `remotetask` CLI. */
export { CliCommands, type CliCommand } from './cli-command.js';
export { bootFromConfig } from './boot-from-config.js';
export { catchStopSignals, type StopSignals } from './catch-stop-signals.js';
export { CliError, EXIT } from './cli-error.js';
export { readSecret } from './read-secret.js';
export { printJson, printLine } from './print.js';
