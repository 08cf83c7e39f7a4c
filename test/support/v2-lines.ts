/**
 * Building blocks for rule set v2 tests: lines of one encounter, rule packs and history files, all
 * synthetic. Line numbers follow batch.ts: the i-th line (0-based) is physical line i + 2.
 */

import type { LineInput } from './batch.js';
import { csvRecord } from './csv.js';
import { NPI_A } from './npi.js';

/** Member, claim and provider shared by the lines of one encounter. */
export const ENCOUNTER = { member_id: 'M1', claim_id: 'C1', rendering_npi: NPI_A } as const;

/** The 62323 line of the encounter (a clean line otherwise). */
export const indexLine = (over: LineInput = {}): LineInput => ({ ...ENCOUNTER, ...over });

/** A non-62323 line of the encounter: no diagnosis, no prior authorization. */
export const companion = (code: string, over: LineInput = {}): LineInput => ({
  ...ENCOUNTER,
  procedure_code: code,
  dx: [],
  prior_auth: '',
  ...over,
});

/** Numbers the lines 1, 2, … within their claims, so no two are DUPLICATE_LINE by accident. */
export function numbered(lines: readonly LineInput[]): LineInput[] {
  const next = new Map<string, number>();
  return lines.map((line, index) => {
    if (line.line_no !== undefined) return line;
    const claim = line.claim_id ?? `CLM${String(index + 1).padStart(3, '0')}`;
    const lineNo = (next.get(claim) ?? 0) + 1;
    next.set(claim, lineNo);
    return { ...line, line_no: String(lineNo) };
  });
}

export interface PackJson {
  readonly name: string;
  readonly version: string;
  readonly payers: readonly string[];
  readonly rules: Readonly<Record<string, unknown>>;
  readonly lists?: Readonly<Record<string, unknown>>;
}

/** A rule pack file's JSON. */
export const pack = (
  name: string,
  payers: readonly string[],
  rules: Readonly<Record<string, unknown>> = {},
  lists?: Readonly<Record<string, unknown>>,
): PackJson => ({ name, version: '1', payers, rules, ...(lists === undefined ? {} : { lists }) });

export interface HistoryRow {
  readonly member: string;
  readonly dos: string;
  readonly code?: string;
  readonly npi?: string;
  readonly claim?: string;
  readonly batch?: string;
}

const HISTORY_HEADER =
  'member_id,date_of_service,procedure_code,provider_npi,claim_id,line_no,claim_frequency,batch_id,line';

/** A history file (the `check --history` form) of earlier batches' rows. */
export const historyCsv = (rows: readonly HistoryRow[]): string =>
  [
    HISTORY_HEADER,
    ...rows.map((row) =>
      csvRecord([
        row.member,
        row.dos,
        row.code ?? '62323',
        row.npi ?? NPI_A,
        row.claim ?? 'H1',
        '1',
        '1',
        row.batch ?? 'earlier',
        '2',
      ]),
    ),
  ].join('\n') + '\n';
