/**
 * A property test over random batches with random corruption (stray quotes, NULs, bad bytes, wrong
 * field counts, blank lines, CRLF, a byte-order mark, gzip, a gzip cut short). Whatever the input:
 * the process exits 0 or 2 (never by a signal), the accounting holds (lines = checked + rejected,
 * rejected.csv has a row per rejected record, findings only on checked lines), and where the records
 * can be counted from the outside, summary.json counts exactly those.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Random, seeded } from '../support/random.js';
import {
  accountingProblems,
  COLUMNS,
  check,
  describeRun,
  HEADER,
  readReport,
  row,
  scratch,
  spillLeftovers,
} from './support.js';

interface Batch {
  readonly name: string;
  readonly bytes: Buffer;
  /** Non-blank records after the header, when no corruption makes that ambiguous. */
  readonly records?: number;
  /** Physical lines of the decoded text (findings can only be on lines 2…this). */
  readonly physicalLines: number;
  readonly kinds: string[];
}

const CODES = ['62323', '62323', '62323', '77003', '99213', '62322', '64483', 'J3301', '62321', '99152'];

function cleanRow(random: Random, index: number): string[] {
  return row(index, {
    claim_id: `C${random.int(40)}`,
    line_no: String(1 + random.int(4)),
    member_id: `M${random.int(15)}`,
    date_of_service: `2026-0${1 + random.int(9)}-${String(1 + random.int(28)).padStart(2, '0')}`,
    procedure_code: random.pick(CODES),
    modifiers: random.pick(['', '', '', '50', '59', 'KX', '25']),
    units: random.pick(['1', '1', '1', '2', '0', 'x']),
    prior_auth: random.chance(0.7) ? `PA${index}` : '',
  }).split(',');
}

/** Each corruption edits a record's fields at `at`; `bad-byte` returns bytes to put inside the line. */
type Corruption = (fields: string[], at: number, random: Random) => Buffer | undefined;

const CORRUPTIONS: Record<string, Corruption> = {
  'stray-quote': (fields, at) => {
    const target = fields[at] === '' ? 0 : at;
    fields[target] = `"${fields[target]}`;
    return undefined;
  },
  nul: (fields, at) => {
    fields[at] = `${fields[at]}\u0000`;
    return undefined;
  },
  'bad-byte': (_fields, _at, random) => Buffer.from([random.pick([0xff, 0xc3, 0x80, 0xfe, 0xe2])]),
  short: (fields, at, random) => {
    fields.splice(at, 1 + random.int(3));
    return undefined;
  },
  long: (fields, _at, random) => {
    fields.push(random.pick(['x', 'extra', '1']));
    return undefined;
  },
  'trailing-comma': (fields) => {
    fields.push('');
    return undefined;
  },
  quoted: (fields, _at, random) => {
    fields[COLUMNS.indexOf('charge')] = random.pick(['"1,250.00"', '"$1,250.00"', '"12""50"']);
    return undefined;
  },
};
const CORRUPTION_KINDS = Object.keys(CORRUPTIONS);

/** One record's bytes, corrupted with probability `rate` (the kind is added to `kinds`). */
function recordLine(random: Random, index: number, rate: number, kinds: Set<string>): Buffer {
  const fields = cleanRow(random, index);
  let tail: Buffer | undefined;
  if (random.chance(rate)) {
    const kind = random.pick(CORRUPTION_KINDS);
    kinds.add(kind);
    tail = CORRUPTIONS[kind]!(fields, random.int(fields.length), random);
  }
  const line = Buffer.from(fields.join(','));
  if (!tail) return line;
  const cut = random.int(line.length + 1);
  return Buffer.concat([line.subarray(0, cut), tail, line.subarray(cut)]);
}

/** The file's text: line ends (LF or CRLF), an optional final line end and byte-order mark. */
function fileText(random: Random, lines: readonly Buffer[], kinds: Set<string>): Buffer {
  const crlf = random.chance(0.3);
  if (crlf) kinds.add('crlf');
  const end = Buffer.from(crlf ? '\r\n' : '\n');
  const finalNewline = random.chance(0.8);
  let text = Buffer.concat(lines.flatMap((line, index) => (index === 0 ? [line] : [end, line])));
  if (finalNewline) text = Buffer.concat([text, end]);
  if (random.chance(0.15)) {
    kinds.add('bom');
    text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]);
  }
  return text;
}

function makeBatch(seed: number): Batch {
  const random = seeded(seed);
  const kinds = new Set<string>();
  const count = 1 + random.int(120);
  const lines: Buffer[] = [Buffer.from(HEADER)];
  const rate = random.pick([0, 0.02, 0.1, 0.3]);
  for (let index = 0; index < count; index += 1) {
    lines.push(recordLine(random, index, rate, kinds));
    if (random.chance(rate / 2)) {
      kinds.add('blank-line');
      lines.push(Buffer.alloc(0));
    }
  }
  const text = fileText(random, lines, kinds);
  // A stray quote may pair with a later quoted field, so the records cannot be counted from outside.
  let countable = !(kinds.has('stray-quote') && kinds.has('quoted'));
  let bytes = text;
  let name = `case-${seed}.csv`;
  if (random.chance(0.2)) {
    kinds.add('gzip');
    bytes = gzipSync(text);
    name += '.gz';
    if (random.chance(0.5)) {
      kinds.add('cut-gzip');
      bytes = bytes.subarray(0, 10 + random.int(Math.max(1, bytes.length - 10)));
      countable = false;
    }
  }
  return {
    name,
    bytes,
    physicalLines: lines.length,
    kinds: [...kinds].sort(),
    ...(countable ? { records: count } : {}),
  };
}

type Report = Awaited<ReturnType<typeof readReport>>;

/** What is wrong with a report of `batch` that exited with `code` (nothing, when all holds). */
function problemsOf(batch: Batch, code: number | null, report: Report): string[] {
  const problems = accountingProblems(report);
  const { summary } = report;
  if ((code === 2) !== (summary.status === 'rejected'))
    problems.push(`exit ${code} with status ${summary.status}`);
  const outside = report.findings.filter(
    (finding) => Number(finding.line) < 2 || Number(finding.line) > batch.physicalLines,
  );
  if (outside.length > 0)
    problems.push(`findings outside lines 2…${batch.physicalLines}: ${outside[0]?.line}`);
  const counted = batch.records !== undefined && summary.status === 'complete';
  if (counted && summary.counts.lines !== batch.records)
    problems.push(`counts.lines ${summary.counts.lines}, the file has ${batch.records} records`);
  return problems;
}

const CASES = Array.from({ length: 40 }, (_, index) => 6_232_300 + index);

describe('hostile: properties of random corrupt batches', () => {
  it(`${CASES.length} random batches: exit 0 or 2, accounting holds, no line both checked and rejected`, async () => {
    const space = await scratch('properties');
    const failures: string[] = [];
    const tally: Record<string, number> = {};
    const runCase = async (seed: number): Promise<void> => {
      const batch = makeBatch(seed);
      const label = `seed ${seed} [${batch.kinds.join(' ') || 'clean'}]`;
      const file = await space.file(batch.name, batch.bytes);
      const out = space.out(`seed-${seed}`);
      const result = await check(file, out, [], { tmp: space.tmp, timeoutMs: 20_000 });
      if (result.signal !== null || result.timedOut || (result.code !== 0 && result.code !== 2)) {
        failures.push(`${label}: ${describeRun(result)}`);
        return;
      }
      let report: Report;
      try {
        report = await readReport(out);
      } catch (error) {
        failures.push(`${label}: report folder unreadable (${(error as Error).message})`);
        return;
      }
      const { summary } = report;
      const key = `${summary.status}${batch.records === undefined ? '' : ' (counted)'}`;
      tally[key] = (tally[key] ?? 0) + 1;
      const problems = problemsOf(batch, result.code, report);
      const left = await spillLeftovers(space.tmp);
      if (left.length > 0) problems.push(`spill folder left: ${left.join(' ')}`);
      if (problems.length > 0) failures.push(`${label}: ${problems.join('; ')}`);
    };
    // Two at a time: the machine is shared.
    for (let start = 0; start < CASES.length; start += 2)
      await Promise.all(CASES.slice(start, start + 2).map(runCase));
    console.log(`outcomes: ${JSON.stringify(tally)}`);
    expect(failures).toEqual([]);
  }, 120_000);
});
