/**
 * findings.xlsx of the bench's 1M-line batch: its size, how long it takes to write, and how much the
 * process grows while it is written (flat memory: the rows stream, they are never all held).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { formatCount } from '../functions/core/report/format.js';

export interface XlsxMeasured {
  readonly ms: number;
  readonly bytes: number;
  readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
  /** RSS after the scrub, before the workbook is written; and the highest sampled while it is. */
  readonly rssBeforeBytes: number;
  readonly rssPeakBytes: number;
}

const MB = 1024 * 1024;

export function benchXlsx(file: string, asOf: string): XlsxMeasured {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', resolve('dist/xlsx-child.js'), file, asOf, `${file}.findings.xlsx`],
    { encoding: 'utf8', maxBuffer: 16 * MB, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.trim().split('\n').pop()!) as XlsxMeasured;
}

/** The README rows of the measurement. */
export function xlsxRows(measured: XlsxMeasured): string[] {
  const { error, warning, info } = measured.findings;
  return [
    '',
    `| findings.xlsx (1M-line batch, ${formatCount(error + warning + info)} findings) | figure |`,
    '|---|---:|',
    `| size | ${(measured.bytes / MB).toFixed(1)} MB |`,
    `| write time (streaming writer, to a local file) | ${(measured.ms / 1000).toFixed(1)} s |`,
    `| findings written per second (the Claims sheet's rows besides) | ${formatCount(Math.round(((error + warning + info) * 1000) / measured.ms))} |`,
    `| RSS before the write / peak while writing | ${(measured.rssBeforeBytes / MB).toFixed(0)} MB / ${(measured.rssPeakBytes / MB).toFixed(0)} MB |`,
  ];
}
