/** The report folder: findings.csv, summary.json, rejected.csv and report.html, as text. */
import type { MergedBatch } from '../engine/accumulator.js';
import type { RejectedRecord } from '../intake/framer.js';
import { RULES } from '../rules/catalog.js';
import { csvRow, numberCell, textCell } from './csv.js';
import { renderHtml } from './html.js';
import type { Summary } from './summary.js';

export const REPORT_FILES = ['findings.csv', 'summary.json', 'rejected.csv', 'report.html'] as const;
export type ReportFileName = (typeof REPORT_FILES)[number];

export const FINDINGS_HEADER =
  'line,claim_id,line_no,member_id,date_of_service,procedure_code,rule_id,severity,message,related_lines,charge\n';
export const REJECTED_HEADER = 'line,end_line,reason,raw\n';

export function findingsCsv(batch: MergedBatch): string {
  const rows: string[] = [FINDINGS_HEADER];
  for (const item of batch.findings) {
    const echo = batch.echoes.get(item.line)!;
    rows.push(
      csvRow([
        numberCell(item.line),
        textCell(echo.claimId),
        textCell(echo.lineNo),
        textCell(echo.memberId),
        textCell(echo.dateOfService),
        textCell(echo.procedureCode),
        item.ruleId,
        RULES[item.ruleId].severity,
        textCell(item.message),
        item.related.join(' '),
        echo.charge,
      ]),
    );
  }
  return rows.join('');
}

export function rejectedCsv(records: readonly RejectedRecord[]): string {
  const rows: string[] = [REJECTED_HEADER];
  for (const record of records) {
    rows.push(
      csvRow([
        numberCell(record.line),
        numberCell(record.endLine),
        textCell(record.reason),
        textCell(record.raw),
      ]),
    );
  }
  return rows.join('');
}

export const summaryJson = (summary: Summary): string => `${JSON.stringify(summary, null, 2)}\n`;

/** All four files of a report folder. `batch` is absent when the whole batch was rejected. */
export function reportFiles(summary: Summary, batch?: MergedBatch): Record<ReportFileName, string> {
  return {
    'findings.csv': batch ? findingsCsv(batch) : FINDINGS_HEADER,
    'summary.json': summaryJson(summary),
    'rejected.csv': rejectedCsv(batch?.rejectedRecords ?? []),
    'report.html': renderHtml(summary, batch),
  };
}
