/** History of earlier sessions from a local CSV file (`--history prior.csv`). */
import { readFile } from 'node:fs/promises';
import type { HistorySource } from '../core/engine/accumulator.js';
import { inMemoryHistory, parseHistoryCsv } from '../core/history.js';

export async function loadHistoryFile(path: string): Promise<{ source: HistorySource; skippedRows: number }> {
  const { sessions, skippedRows } = parseHistoryCsv(await readFile(path, 'utf8'));
  return { source: inMemoryHistory(sessions), skippedRows };
}
