import { Job } from 'sidequest';
import { probe } from '../lib/util.js';

/** Sidequest's job for the benchmark: a class in a file of its own, as Sidequest finds jobs by their script's path. */
export class BenchNoopJob extends Job {
  async run(_data: unknown): Promise<void> {
    await probe.ran();
  }
}
