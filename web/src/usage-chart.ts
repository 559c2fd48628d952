// The tokens-per-day chart, drawn as SVG by the page itself (no chart library: the bundle stays
// small). One bar per day, oldest on the left; each bar's tooltip and the chart's label give the
// numbers, and the table beside it gives them to screen readers and keyboard users.
import type { DayUsage } from './types';

const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 160;
const PAD = 20;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export const tokensOf = (d: DayUsage): number => d.inputTokens + d.outputTokens;

/** @param days newest first, as the API returns them. */
export function usageChart(days: readonly DayUsage[], id = 'usage-chart'): SVGSVGElement {
  const ordered = [...days].reverse();
  const most = Math.max(0, ...ordered.map(tokensOf));
  const max = Math.max(1, most);
  const total = ordered.reduce((n, d) => n + tokensOf(d), 0);
  const chart = svg('svg', { id, class: 'usage-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Tokens per day, last ${ordered.length} days: ${total} in all, at most ${most} in a day` });
  const step = (W - 2 * PAD) / Math.max(1, ordered.length);
  chart.append(svg('line', { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: 'axis' }));
  ordered.forEach((d, i) => {
    const height = Math.round(((H - 2 * PAD) * tokensOf(d)) / max);
    const bar = svg('rect', { x: (PAD + i * step + step * 0.1).toFixed(1), y: H - PAD - height, width: (step * 0.8).toFixed(1), height, class: 'bar', 'data-day': d.day, 'data-tokens': tokensOf(d) });
    bar.append(svg('title', {}, `${d.day}: ${tokensOf(d)} tokens, ${d.replies} replies`));
    chart.append(bar);
  });
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  if (first && last) {
    chart.append(svg('text', { x: PAD, y: H - 4, class: 'label' }, first.day));
    chart.append(svg('text', { x: W - PAD, y: H - 4, class: 'label', 'text-anchor': 'end' }, last.day));
  }
  chart.append(svg('text', { x: PAD, y: 12, class: 'label' }, `${most} tokens`));
  return chart;
}
