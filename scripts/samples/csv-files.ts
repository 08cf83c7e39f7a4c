/** The CSV files: the batch laid out and rendered with the physical line of every entry, and the history file. */

import { STANDARD_COLUMNS, STANDARD_HEADER_LINE } from '../../test/support/columns.js';
import { csvRecord } from '../../test/support/csv.js';
import type { Random } from '../../test/support/random.js';
import type { Block, ClaimLineFields, Entry, HistoryRow } from './model.js';

export function claimLineRecord(fields: ClaimLineFields): string {
  return csvRecord(STANDARD_COLUMNS.map((column) => fields[column]));
}

export interface Placed {
  readonly line: number;
  readonly endLine: number;
  readonly entry: Entry;
}

/** Shuffles the blocks, keeps pinned ones near the top/bottom, adds one blank line in the middle. */
export function layout(rng: Random, blocks: readonly Block[], blankLine: boolean): Block[] {
  const free = rng.shuffle(blocks.filter((block) => block.pin === undefined));
  const early = blocks.filter((block) => block.pin === 'early');
  const late = blocks.filter((block) => block.pin === 'late');
  const ordered = [...free];
  ordered.splice(Math.floor(ordered.length * 0.9), 0, ...late);
  ordered.splice(Math.min(3, ordered.length), 0, ...early);
  if (blankLine) ordered.splice(Math.floor(ordered.length / 2), 0, { entries: [{ kind: 'blank' }] });
  return ordered;
}

export function render(blocks: readonly Block[]): { text: string; placed: Placed[] } {
  const out = [STANDARD_HEADER_LINE];
  const placed: Placed[] = [];
  let line = 2; // the header is line 1
  for (const block of blocks) {
    for (const entry of block.entries) {
      const text =
        entry.kind === 'line' ? claimLineRecord(entry.fields) : entry.kind === 'raw' ? entry.text : '';
      const endLine = line + (text.match(/\n/g)?.length ?? 0);
      placed.push({ line, endLine, entry });
      out.push(text);
      line = endLine + 1;
    }
  }
  return { text: `${out.join('\n')}\n`, placed };
}

/** prior-history.csv: the history CSV of packs.md, in the column order `check --history --record` writes. */
export const HISTORY_HEADER =
  'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line';

export function historyCsv(rows: readonly HistoryRow[]): string {
  // Sorted as a history grows: by batch, then by line within it.
  const sorted = [...rows].sort(
    (a, b) =>
      a.batchId.localeCompare(b.batchId) ||
      a.line - b.line ||
      a.member.localeCompare(b.member) ||
      a.date.localeCompare(b.date),
  );
  const lines = [
    HISTORY_HEADER,
    ...sorted.map((row) =>
      csvRecord([
        row.member,
        row.date,
        row.code,
        row.npi,
        row.claimId,
        row.lineNo,
        row.frequency,
        row.batchId,
        String(row.line),
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
