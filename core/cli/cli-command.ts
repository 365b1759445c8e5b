import type { Command } from 'commander';
import type { Token } from '../registry/token.js';

/**
 * A command of the `remotetask` CLI that a plugin contributes: `ctx.contribute(CliCommands, {
 * name: 'hash-password', register(program) { program.command('hash-password')… } })`. The CLI
 * finds them by registering the config's plugins (and its own) when the command line names no
 * command of its own.
 */
export interface CliCommand {
  /** The command's name, as typed after `remotetask`. */
  name: string;
  /** Adds the command (its options, its action) to the program. */
  register(program: Command): void;
}

/** The extension point of CLI commands. */
export const CliCommands: Token<CliCommand> = Symbol.for('remotetask.cli.commands');
