import { html, type SafeHtml } from 'remotetask/http';
import type { ThroughputSeries } from '../stats/throughput.js';
import { formatClock } from './format.js';

const BAR_WIDTH = 10;
const HEIGHT = 60;

/** The smallest "round" number at least `value`: 1, 2, 5, 10, 20, 50, … */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Jobs completed and failed per minute as an SVG bar chart (stacked: completed below, failed on
 * top), one bar per minute, the current minute last. Every bar has a tooltip; the totals are
 * written out beside it for screen readers and small screens.
 */
export function throughputChart(series: ThroughputSeries, address: string): SafeHtml {
  const { minutes } = series;
  const completed = minutes.reduce((sum, minute) => sum + minute.completed, 0);
  const failed = minutes.reduce((sum, minute) => sum + minute.failed, 0);
  const top = niceCeiling(Math.max(...minutes.map((minute) => minute.completed + minute.failed)));
  const scale = (count: number) => (count / top) * HEIGHT;
  const width = minutes.length * BAR_WIDTH;
  const bars = minutes.map((minute, index) => {
    const total = minute.completed + minute.failed;
    if (total === 0) return html``;
    const x = index * BAR_WIDTH + 1;
    const okHeight = scale(minute.completed);
    const failHeight = scale(minute.failed);
    return html`<g><title>${formatClock(minute.start)} UTC: ${minute.completed} completed, ${minute.failed} failed</title>${
      minute.completed > 0 && html`<rect class="bar-ok" x="${x}" y="${(HEIGHT - okHeight).toFixed(2)}" width="${BAR_WIDTH - 2}" height="${okHeight.toFixed(2)}"/>`
    }${
      minute.failed > 0 && html`<rect class="bar-failed" x="${x}" y="${(HEIGHT - okHeight - failHeight).toFixed(2)}" width="${BAR_WIDTH - 2}" height="${failHeight.toFixed(2)}"/>`
    }</g>`;
  });
  const note = series.failed ? ' The store could not be read just now: these are the counts read before.' : '';
  return html`<figure class="chart" data-chart="${address}">
  <div class="chart__plot">
    <span class="chart__top">${top}/min</span>
    <svg viewBox="0 0 ${width} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="Jobs completed and failed per minute over the last hour: ${completed} completed, ${failed} failed">
      <line class="chart__base" x1="0" y1="${HEIGHT}" x2="${width}" y2="${HEIGHT}"/>${bars}
    </svg>
    <span class="chart__axis"><span>${formatClock(minutes[0].start)}</span><span>now (UTC)</span></span>
  </div>
  <figcaption>
    <span class="legend legend--ok">${completed} completed</span>
    <span class="legend legend--failed">${failed} failed</span>
    <span class="chart__note">Per minute, last hour, from the store's completion times: the jobs every process ran (cron job runs not counted).${note}</span>
  </figcaption>
</figure>`;
}
