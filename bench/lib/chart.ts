/** The throughput chart of the report: an SVG written with plain string code from the results. */

export interface ChartRow {
  label: string;
  /** jobs/s by concurrency; a missing figure draws no bar. */
  values: Record<number, number | undefined>;
  /** Drawn hatched-grey: the floor (ceiling) of a backend. */
  floor?: boolean;
}

const COLORS = ['#9ecae1', '#4292c6', '#08519c', '#6baed6', '#2171b5'];
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** A step for the axis (1, 2 or 5 × a power of ten) that gives about five gridlines up to `max`. */
function axisStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? power * 10;
}

/** One panel of the chart: the systems of one backend, on an axis of their own. */
export interface ChartPanel {
  title: string;
  rows: ChartRow[];
}

const LABEL_WIDTH = 230;
const PLOT_WIDTH = 560;
const BAR = 11;
const GROUP_GAP = 10;

/**
 * Horizontal grouped bars, one panel per backend (each on its own linear axis, since a backend's
 * floor can be many times another's): one group per system, one bar per concurrency, each bar
 * labelled with its figure.
 */
export function throughputChart(title: string, concurrencies: number[], panels: ChartPanel[]): string {
  const width = LABEL_WIDTH + PLOT_WIDTH + 90;
  const groupHeight = concurrencies.length * BAR + GROUP_GAP;
  const out: string[] = [];
  let y = 58;
  const body: string[] = [];
  for (const panel of panels.filter((p) => p.rows.length > 0)) {
    y = drawPanel(body, panel, concurrencies, y, groupHeight) + 24;
  }
  const height = y;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><pattern id="floor" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#bbb"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="3"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  );
  concurrencies.forEach((c, i) => {
    const lx = LABEL_WIDTH + i * 90;
    out.push(`<rect x="${lx}" y="32" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${lx + 16}" y="42">c=${c}</text>`);
  });
  const fx = LABEL_WIDTH + concurrencies.length * 90;
  out.push(`<rect x="${fx}" y="32" width="12" height="12" fill="url(#floor)"/><text x="${fx + 16}" y="42">floor (raw SQL loop), c=${concurrencies.join('/')}</text>`);
  out.push(...body, '</svg>');
  return `${out.join('\n')}\n`;
}

/** Draws one panel from `top`; returns the y below it. */
function drawPanel(out: string[], panel: ChartPanel, concurrencies: number[], top: number, groupHeight: number): number {
  out.push(`<text x="10" y="${top + 12}" font-size="13" font-weight="bold">${escape(panel.title)}</text>`);
  const plotTop = top + 24;
  const max = Math.max(1, ...panel.rows.flatMap((r) => concurrencies.map((c) => r.values[c] ?? 0)));
  const step = axisStep(max);
  const axisMax = Math.ceil(max / step) * step;
  const x = (v: number) => LABEL_WIDTH + (v / axisMax) * PLOT_WIDTH;
  const bottom = plotTop + panel.rows.length * groupHeight;
  for (let v = 0; v <= axisMax; v += step) {
    out.push(`<line x1="${x(v)}" y1="${plotTop - 4}" x2="${x(v)}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${x(v)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${thousands(v)}</text>`);
  }
  out.push(`<text x="${LABEL_WIDTH + PLOT_WIDTH / 2}" y="${bottom + 32}" text-anchor="middle" fill="#333">jobs per second (higher is better)</text>`);
  panel.rows.forEach((row, g) => {
    const y0 = plotTop + g * groupHeight;
    out.push(`<text x="${LABEL_WIDTH - 8}" y="${y0 + (concurrencies.length * BAR) / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`);
    concurrencies.forEach((c, i) => {
      const v = row.values[c];
      if (v === undefined || !Number.isFinite(v)) return;
      const y = y0 + i * BAR;
      const fill = row.floor ? 'url(#floor)' : COLORS[i % COLORS.length];
      out.push(`<rect x="${LABEL_WIDTH}" y="${y}" width="${Math.max(0.5, x(v) - LABEL_WIDTH)}" height="${BAR - 2}" fill="${fill}"><title>${escape(row.label)} c=${c}: ${thousands(v)} jobs/s</title></rect>`);
      out.push(`<text x="${x(v) + 4}" y="${y + BAR - 3}" font-size="10" fill="#333">${thousands(v)}</text>`);
    });
  });
  return bottom + 32;
}
