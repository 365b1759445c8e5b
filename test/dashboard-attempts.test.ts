/** A job's page on the dashboard shows its attempts, newest first, each stack folded. */
import { describe, expect, it } from 'vitest';
import { dashboardTestKernel } from './helpers/dashboard-test-kernel.js';
import { flakyTasks, NO_BACKOFF } from './helpers/flaky-tasks.js';

describe('attempts on the job page', () => {
  const booted = dashboardTestKernel([flakyTasks], { sites: { '': { services: { RootTaskService: NO_BACKOFF } } } });

  it('lists a job that failed twice then succeeded: three rows, newest first, stacks in <details>', async () => {
    const service = booted.kernel.getService('@RootTaskService');
    const id = await service.add('flaky', null);
    for (let run = 0; run < 3; run++) await service.process();
    for (const headers of [{}, { 'hx-request': 'true' }]) {
      const page = await booted.app.inject({ url: `/services/@RootTaskService/jobs/${id}`, headers });
      expect(page.statusCode).toBe(200);
      const table = /<table class="attempts">([\s\S]*?)<\/table>/.exec(page.body)?.[1];
      expect(table).toBeDefined();
      const rows = [...table!.matchAll(/<tr class="attempt attempt--(\w+)">([\s\S]*?)<\/tr>/g)];
      expect(rows.map((row) => row[1])).toEqual(['completed', 'retry', 'retry']);
      expect(rows.map((row) => /<td>(\d+)<\/td>/.exec(row[2])![1])).toEqual(['3', '2', '1']);
      expect(rows[1][2]).toContain('<span class="error-message">flaky run 2</span>');
      expect(rows[1][2]).toMatch(/<details><summary>Stack<\/summary><pre class="stack">Error: flaky run 2\n\s+at /);
      expect(rows[0][2]).not.toContain('<details>');
    }
  });

  it('says so for a job that has not run', async () => {
    const id = await booted.kernel.getService('@RootTaskService').add('flaky', null, { startLater: true });
    const page = await booted.app.inject(`/services/@RootTaskService/jobs/${id}`);
    expect(page.body).toMatch(/<h2 id="attempts-title">Attempts<\/h2>\s*<p class="muted">No run has ended yet\.<\/p>/);
  });
});
