/**
 * The fast path of field parsing: splits one well-formed CSV record into its fields.
 *
 * Why by hand: csv-parse manages about 83k records/s on one core here, and the check has to beat
 * that rate while also running every rule. This splitter only ever says yes or no. It says no to
 * anything unusual: a stray quote, text after a closing quote, an unterminated quote, or the wrong
 * number of fields. csv-parse then parses that record again and names the problem, so csv-parse
 * stays the judge of every broken record. Where the splitter says yes, its fields equal csv-parse's
 * for the same record; a property test (test/core/intake/fields.test.ts) holds it to that.
 */

import { COMMA, LF, QUOTE } from './chars.js';

/** What a field reader returns when the record is not for the fast path. */
const DECLINED = -1;

/**
 * Splits the record `text[start, end)` into exactly `width` fields, written into `fields`; empty
 * fields after those (trailing commas) are dropped. The range is one framed record, so a line feed
 * may appear only inside a quoted field. Returns false, with `fields` partly written, when the record
 * is not plain RFC 4180 with `width` fields. `plain`: the caller knows the range holds no quote and
 * no line feed (see readToComma); the result is the same.
 */
export function splitRecord(
  text: string,
  start: number,
  end: number,
  width: number,
  fields: string[],
  plain = false,
): boolean {
  // An empty record is no row at all to csv-parse; let it say so.
  if (start >= end) return false;
  let position = start;
  let count = 0;
  for (;;) {
    if (count === width) return onlyCommas(text, position, end);
    const stop = plain
      ? readToComma(text, position, end, fields, count)
      : position < end && text.charCodeAt(position) === QUOTE
        ? readQuoted(text, position, end, fields, count)
        : readPlain(text, position, end, fields, count);
    if (stop === DECLINED) return false;
    count += 1;
    if (stop >= end) return count === width;
    position = stop + 1; // past the comma
  }
}

/**
 * Reads the quoted field opening at `open` into `fields[index]`: up to the quote that is not doubled;
 * `""` inside stands for one quote. Returns where the field ends (the record's end or a comma), or DECLINED.
 */
function readQuoted(text: string, open: number, end: number, fields: string[], index: number): number {
  const first = text.indexOf('"', open + 1);
  let close = first;
  while (close !== -1 && close + 1 < end && text.charCodeAt(close + 1) === QUOTE) {
    close = text.indexOf('"', close + 2);
  }
  if (close === -1 || close >= end) return DECLINED;
  const value = text.slice(open + 1, close);
  fields[index] = close === first ? value : value.replaceAll('""', '"');
  const stop = close + 1;
  return stop < end && text.charCodeAt(stop) !== COMMA ? DECLINED : stop;
}

/**
 * Reads a field of a record the caller knows holds no quote and no line feed (`plain`: visitChunk
 * keeps the next quote's position, and a record of one line has no line feed): up to the next
 * comma, which the native `indexOf` finds faster than a loop over the characters (about a quarter
 * of the splitting's time on the bench batch). The search may run into the next record: a comma
 * found there ends the field at the record's end.
 */
function readToComma(text: string, from: number, end: number, fields: string[], index: number): number {
  const comma = text.indexOf(',', from);
  const stop = comma === -1 || comma > end ? end : comma;
  fields[index] = text.slice(from, stop);
  return stop;
}

/** Reads the unquoted field starting at `from` into `fields[index]`; a quote or a line feed in it is DECLINED. */
function readPlain(text: string, from: number, end: number, fields: string[], index: number): number {
  let stop = from;
  while (stop < end) {
    const code = text.charCodeAt(stop);
    if (code === COMMA) break;
    if (code === QUOTE || code === LF) return DECLINED;
    stop += 1;
  }
  fields[index] = text.slice(from, stop);
  return stop;
}

/** Whether `text[from, end)` holds nothing but commas: the empty fields a trailing comma makes. */
function onlyCommas(text: string, from: number, end: number): boolean {
  for (let index = from; index < end; index += 1) if (text.charCodeAt(index) !== COMMA) return false;
  return true;
}
