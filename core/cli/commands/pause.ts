import type { Command } from 'commander';
import { type ClientOptions, clientFor, withClientOptions } from '../client-options.js';
import { printLine } from '../print.js';

/** `remotetask pause` and `remotetask resume`: the fleet-wide pause of a service. */
export function registerPause(program: Command): void {
  for (const paused of [true, false]) {
    withClientOptions(
      program
        .command(paused ? 'pause' : 'resume')
        .description(
          paused
            ? 'pause the service for every process (web servers and workers): none claims its jobs, running jobs finish'
            : 'resume a service paused for every process',
        ),
    ).action(async (options: ClientOptions) => {
      const state = await (await clientFor(options)).service(options.service).setPausedEverywhere(paused);
      printLine(state.paused ? `${options.service} paused for every process since ${state.since}` : `${options.service} runs`);
    });
  }
}
