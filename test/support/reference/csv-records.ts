/**
 * A small RFC 4180 reader that remembers the physical line where each record starts — the `line` of
 * a finding. Only well-formed CSV needs to be right here; a record with a stray quote or an
 * unterminated quote is marked malformed (the caller rejects it).
 */

export interface CsvRecord {
  /** Physical line (1-based) where the record starts. */
  readonly line: number;
  readonly fields: string[];
  readonly malformed: boolean;
}

class RecordReader {
  readonly records: CsvRecord[] = [];
  private fields: string[] = [];
  private field = '';
  private fieldQuoted = false;
  private afterClosingQuote = false;
  private malformed = false;
  private line = 1;
  private startLine = 1;

  constructor(private readonly text: string) {}

  read(): CsvRecord[] {
    for (let index = 0; index < this.text.length; index += 1) index = this.step(index);
    if (this.fields.length > 0 || this.field !== '' || this.fieldQuoted) this.endRecord();
    return this.records;
  }

  /** Consumes the character at `index` (and its partner, for `""` and CRLF); returns the last index used. */
  private step(index: number): number {
    const char = this.text[index];
    if (char === '"') return this.quote(index);
    if (char === ',') {
      this.endField();
      return index;
    }
    if (char === '\n' || (char === '\r' && this.text[index + 1] === '\n')) {
      this.endRecord();
      this.line += 1;
      this.startLine = this.line;
      return char === '\r' ? index + 1 : index;
    }
    if (this.afterClosingQuote) this.malformed = true;
    this.field += char;
    return index;
  }

  private quote(index: number): number {
    if (this.field === '' && !this.fieldQuoted) {
      this.fieldQuoted = true;
      return this.quotedBody(index + 1);
    }
    this.malformed = true; // a quote inside an unquoted field, or after a closing quote
    this.field += '"';
    return index;
  }

  /** Reads a quoted field's body from `index`; returns the index of its closing quote. */
  private quotedBody(index: number): number {
    let position = index;
    while (position < this.text.length) {
      const char = this.text[position];
      if (char === '"' && this.text[position + 1] === '"') {
        this.field += '"';
        position += 2;
      } else if (char === '"') {
        this.afterClosingQuote = true;
        return position;
      } else {
        if (char === '\n') this.line += 1;
        this.field += char;
        position += 1;
      }
    }
    this.malformed = true; // unterminated quote: the rest of the file is this one record
    return position;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.fieldQuoted = false;
    this.afterClosingQuote = false;
  }

  private endRecord(): void {
    const quotedAny = this.fieldQuoted;
    this.endField();
    const fields = this.fields;
    this.fields = [];
    // Blank lines are not records; a line of only spaces is read as blank too (spec silent: it holds no claim).
    const blank = fields.length === 1 && !quotedAny && fields[0]!.trim() === '' && !this.malformed;
    if (!blank) this.records.push({ line: this.startLine, fields, malformed: this.malformed });
    this.malformed = false;
  }
}

/** The records of a CSV text (a leading byte-order mark is dropped). */
export function readCsvRecords(text: string): CsvRecord[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return new RecordReader(body).read();
}

/**
 * Fits a record to the header's width: empty cells at the end of the header are not columns, and
 * empty fields beyond them are dropped. Returns undefined when the record still does not fit
 * (formats.md: a record with the wrong number of fields is rejected).
 */
export function fitToHeader(fields: readonly string[], width: number): string[] | undefined {
  const fitted = [...fields];
  while (fitted.length > width && fitted[fitted.length - 1]!.trim() === '') fitted.pop();
  return fitted.length === width ? fitted : undefined;
}

/** The header's width without its trailing empty cells. */
export function headerWidth(header: readonly string[]): number {
  let width = header.length;
  while (width > 0 && header[width - 1]!.trim() === '') width -= 1;
  return width;
}
