/**
 * What `scrub62323 reports list` and `reports status` print: one row per batch (its status and figures
 * from summary.json), as an aligned table for people or as JSON for scripts. Pure: no AWS here.
 */
import { formatCount, formatMoney } from '../core/report/format.js';
import type { BatchStatus, Summary } from '../core/report/summary.js';

/** A batch's row: the figures of its summary, or none while it waits for one. */
export interface BatchRow {
  readonly batchId: string;
  readonly status: BatchStatus | 'waiting';
  readonly asOf?: string;
  readonly lines?: number;
  /** Error findings. */
  readonly errors?: number;
  readonly warnings?: number;
  readonly claimsWithErrors?: number;
  readonly dollarsAtRisk?: number;
  readonly generatedAt?: string;
}

/** An upload and its batch's row (`reports status`). */
export interface UploadRow {
  /** The object key, under incoming/. */
  readonly key: string;
  readonly uploadedAt: Date;
  readonly batch: BatchRow;
}

export function batchRowOf(summary: Summary): BatchRow {
  return {
    batchId: summary.batchId,
    status: summary.status,
    asOf: summary.asOf,
    lines: summary.counts.lines,
    errors: summary.counts.findings.error,
    warnings: summary.counts.findings.warning,
    claimsWithErrors: summary.counts.claimsWithErrors,
    dollarsAtRisk: summary.dollarsAtRisk,
    generatedAt: summary.generatedAt,
  };
}

export const waitingRow = (batchId: string): BatchRow => ({ batchId, status: 'waiting' });

const NONE = '-';

/** Control characters (a terminal escape in a file name) shown as `?`: a table never drives the terminal. */
const printable = (text: string): string => text.replace(/\p{Cc}/gu, '?');

interface Column {
  readonly title: string;
  readonly right?: boolean;
}

/** Columns padded to their widest cell, two spaces apart; numbers right-aligned. */
export function alignedTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = [columns.map((column) => column.title), ...rows.map((row) => row.map(printable))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => [...(row[index] ?? '')].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => {
        const pad = ' '.repeat(widths[index]! - [...cell].length);
        return columns[index]!.right ? pad + cell : index === row.length - 1 ? cell : cell + pad;
      })
      .join('  ');
  return `${cells.map(line).join('\n')}\n`;
}

const BATCH_COLUMNS: readonly Column[] = [
  { title: 'BATCH' },
  { title: 'STATUS' },
  { title: 'AS OF' },
  { title: 'LINES', right: true },
  { title: 'ERRORS', right: true },
  { title: 'DOLLARS AT RISK', right: true },
];

function batchCells(row: BatchRow): string[] {
  const count = (value: number | undefined) => (value === undefined ? NONE : formatCount(value));
  return [
    row.batchId,
    row.status,
    row.asOf ?? NONE,
    count(row.lines),
    count(row.errors),
    row.dollarsAtRisk === undefined ? NONE : formatMoney(row.dollarsAtRisk),
  ];
}

/** `reports list`: batch, status, as-of date, lines, error findings, dollars at risk. */
export const batchTable = (rows: readonly BatchRow[]): string =>
  alignedTable(BATCH_COLUMNS, rows.map(batchCells));

/** YYYY-MM-DD HH:MM (UTC). */
const minuteOf = (date: Date): string => `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;

/** `reports status`: when and what was uploaded, then its batch's row. */
export function uploadTable(rows: readonly UploadRow[], prefix: string): string {
  return alignedTable(
    [{ title: 'UPLOADED (UTC)' }, { title: 'FILE' }, ...BATCH_COLUMNS],
    rows.map((row) => [
      minuteOf(row.uploadedAt),
      row.key.startsWith(prefix) ? row.key.slice(prefix.length) : row.key,
      ...batchCells(row.batch),
    ]),
  );
}

/** `reports list --json`: one object per batch, figures as numbers (none while waiting). */
export const batchJson = (rows: readonly BatchRow[]): string => `${JSON.stringify(rows, null, 2)}\n`;

/** `reports status --json`. */
export const uploadJson = (rows: readonly UploadRow[]): string =>
  `${JSON.stringify(
    rows.map((row) => ({ key: row.key, uploadedAt: row.uploadedAt.toISOString(), ...row.batch })),
    null,
    2,
  )}\n`;
