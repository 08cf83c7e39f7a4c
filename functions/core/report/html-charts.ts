/**
 * report.html's charts: horizontal bar charts in inline SVG, drawn on the server (no script needed to
 * see them). Each bar has its label above it (wrapped to two lines at most) and its value at its
 * right; bar widths are percentages, so a chart fills any width from a phone to a desktop without
 * scaling its text.
 */
import { escapeHtml } from './html-escape.js';

export interface Bar {
  /** Plain words: a rule's title, a severity, a provider's NPI. */
  readonly label: string;
  /** A second name (a rule's id), in the bar's tooltip only. */
  readonly note?: string;
  readonly value: number;
  /** The value as shown. */
  readonly text: string;
  /** A class of the bar (its colour): error, warning, info, money. */
  readonly tone: string;
}

const LINE = 17;
const BAR = 12;
/** Characters of a label line: what fits at 13 px in a chart on a 390 px phone. */
const LABEL_WIDTH = 48;
/** The bars' share of the chart's width; the rest holds the value. */
const BAR_SHARE = 74;

/** `text` in lines of at most `width` characters, broken at spaces; two lines at most (then `…`). */
export function wrap(text: string, width = LABEL_WIDTH): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '') lines.push(current);
  if (lines.length <= 2) return lines;
  const second = lines.slice(1).join(' ');
  return [lines[0]!, `${second.slice(0, width - 1).trimEnd()}…`];
}

/** A chart as a figure: its title as a heading, the SVG, and a sentence instead when it has no bars. */
export function barChart(
  id: string,
  title: string,
  bars: readonly Bar[],
  empty: string,
  caption = '',
): string {
  const heading = `<h3 id="${id}-title">${escapeHtml(title)}</h3>`;
  if (bars.length === 0)
    return `<figure class="chart">${heading}<p class="muted">${escapeHtml(empty)}</p></figure>`;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  let y = 0;
  const rows = bars.map((bar) => {
    const labelLines = wrap(bar.label);
    const text = labelLines
      .map(
        (line, index) => `<text x="0" y="${y + 13 + index * LINE}" class="label">${escapeHtml(line)}</text>`,
      )
      .join('');
    const barY = y + labelLines.length * LINE + 3;
    const width = bar.value > 0 ? Math.max(0.4, (bar.value / max) * BAR_SHARE) : 0;
    const row = `<g class="bar ${bar.tone}"><title>${escapeHtml(`${bar.label}${bar.note ? ` (${bar.note})` : ''}: ${bar.text}`)}</title>${text}<rect x="0" y="${barY}" width="${BAR_SHARE}%" height="${BAR}" rx="2" class="track"/><rect x="0" y="${barY}" width="${width.toFixed(2)}%" height="${BAR}" rx="2" class="fill"/><text x="100%" y="${barY + 11}" text-anchor="end" class="value">${escapeHtml(bar.text)}</text></g>`;
    y = barY + BAR + 12;
    return row;
  });
  const captionHtml = caption ? `<figcaption class="muted">${escapeHtml(caption)}</figcaption>` : '';
  return `<figure class="chart">${heading}<svg role="img" aria-labelledby="${id}-title" width="100%" height="${y}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>${captionHtml}</figure>`;
}
