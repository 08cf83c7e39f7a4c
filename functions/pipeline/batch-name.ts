/**
 * The readable part of a batch: the upload's file name, and its stem as the batch id and the notice's
 * subject carry it. Apart from batch-id.ts so the validate function can name a batch without the S3
 * event code.
 */

const STEM_MAX = 40;

/** The file name without folder or .csv/.csv.gz (any letter case), reduced to safe characters. */
export function stemOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1).replace(/\.csv(\.gz)?$/i, '');
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "é" → "e"
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+/, '')
    .slice(0, STEM_MAX)
    .replace(/[-._]+$/, '');
  return stem === '' ? 'batch' : stem;
}

/** The file name of the upload, for the summary (`source.name`). */
export const fileNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
