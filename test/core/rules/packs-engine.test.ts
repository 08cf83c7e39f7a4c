/**
 * Rule packs in the engine (packs.md): which pack judges a line, what a pack may change (limits,
 * severities, lists, on/off, with effective dates), how cross-line findings are judged, what the
 * report records of the packs, and how a bad pack is refused — by the engine and by `check`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheckCommand } from '../../../functions/cli/commands/check.js';
import type { CommandIo } from '../../../functions/cli/io.js';
import { main } from '../../../functions/cli/main.js';
import { batch, DEFAULT_DOS, type LineInput, lineOf } from '../../support/batch.js';
import { addDays } from '../../support/dates.js';
import { NPI_B } from '../../support/npi.js';
import {
  booksOf,
  linesOfRule,
  rowOf,
  rulesOnLine,
  scrubV2,
  type V2Options,
  type V2Run,
} from '../../support/run-v2.js';
import { companion, indexLine, numbered, pack } from '../../support/v2-lines.js';

const ACME = 'Acme Health';
const BLUEBIRD = 'Bluebird Commercial';
const OTHER = 'Synthetic Health Plan';

const run = (lines: readonly LineInput[], options?: V2Options): Promise<V2Run> =>
  scrubV2(batch(numbered(lines)), options);

/** A clean 62323 line whose only finding is PRIOR_AUTH_MISSING: its row shows the judging pack. */
const probe = (payer: string, over: LineInput = {}): LineInput => ({ payer, prior_auth: '', ...over });

/** RFC 8785-style canonical JSON (sorted keys, no white space), written here apart from the engine. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const sha256 = (value: unknown): string => createHash('sha256').update(canonical(value)).digest('hex');

describe('which pack judges a line', () => {
  const acme = pack('acme', [ACME], { PRIOR_AUTH_MISSING: { severity: 'error' } });

  it.each(['Acme Health', 'acme health', 'ACME HEALTH', '  Acme Health ', '\tacme HEALTH'])(
    'payer %j matches the pack (trimmed, case-insensitive)',
    async (payer) => {
      const result = await run([probe(payer)], { packs: [acme] });
      const row = rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0));
      expect([row.rule_pack, row.severity]).toEqual(['acme', 'error']);
    },
  );

  it.each(['AcmeHealth', 'Acme Health Plan', 'Acme', ''])('payer %j does not match it', async (payer) => {
    const result = await run([probe(payer)], { packs: [acme] });
    const row = rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0));
    expect([row.rule_pack, row.severity]).toEqual(['62323/v2', 'warning']);
  });

  // packs.md: "matches (trimmed, case-insensitive)" — inner white space is part of the name.
  it('payer "Acme  Health" (two inner spaces) does not match "Acme Health"', async () => {
    const result = await run([probe('Acme  Health')], { packs: [acme] });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).rule_pack).toBe('62323/v2');
  });

  it('a payer whose accents are encoded otherwise (NFD, as macOS writes them) matches the pack', async () => {
    const nfc = pack('caisse', ['Caisse G\u00e9n\u00e9rale'], { PRIOR_AUTH_MISSING: { severity: 'error' } });
    const result = await run([probe('caisse ge\u0301ne\u0301rale')], { packs: [nfc] });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).rule_pack).toBe('caisse');
  });

  it('a batch without a payer column is judged by the default pack', async () => {
    const result = await scrubV2(batch([probe(ACME)], { omit: ['payer'] }), { packs: [acme] });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).rule_pack).toBe('62323/v2');
  });

  it('lines no pack claims go to the default pack named by defaultPack', async () => {
    const house = pack('house', [], { PRIOR_AUTH_MISSING: { severity: 'info' } });
    const result = await run([probe(OTHER), probe(ACME)], { packs: [acme, house], defaultPack: 'house' });
    const rows = [lineOf(0), lineOf(1)].map((line) => rowOf(result, 'PRIOR_AUTH_MISSING', line));
    expect(rows.map((row) => [row.rule_pack, row.severity])).toEqual([
      ['house', 'info'],
      ['acme', 'error'],
    ]);
  });

  it('defaultPack 62323/v2 names the built-in rule set', async () => {
    const result = await run([probe(OTHER)], { packs: [acme], defaultPack: '62323/v2' });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).rule_pack).toBe('62323/v2');
  });
});

describe('what a pack changes', () => {
  it('a severity: the finding carries the pack’s severity, other payers the built-in one', async () => {
    const result = await run([probe(ACME), probe(OTHER)], {
      packs: [pack('acme', [ACME], { POS_UNUSUAL: { severity: 'error' } })],
    });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).severity).toBe('warning');
    const unusual = await run(
      [
        { payer: ACME, place_of_service: '21' },
        { payer: OTHER, place_of_service: '21' },
      ],
      {
        packs: [pack('acme', [ACME], { POS_UNUSUAL: { severity: 'error' } })],
      },
    );
    expect([lineOf(0), lineOf(1)].map((line) => rowOf(unusual, 'POS_UNUSUAL', line).severity)).toEqual([
      'error',
      'warning',
    ]);
  });

  it('a disabled rule gives no finding, and byRule does not list it', async () => {
    const result = await run([probe(ACME)], {
      packs: [pack('acme', [ACME], { PRIOR_AUTH_MISSING: { enabled: false } })],
    });
    expect(result.rows).toEqual([]);
    expect(result.summary.byRule).toEqual({});
    const other = await run([probe(OTHER)], {
      packs: [pack('acme', [ACME], { PRIOR_AUTH_MISSING: { enabled: false } })],
    });
    expect(linesOfRule(other, 'PRIOR_AUTH_MISSING')).toEqual([lineOf(0)]);
  });

  it('a limit: FREQUENCY_EXCEEDED with a window of 1 in 365', async () => {
    const lines = [
      indexLine({ payer: ACME, claim_id: 'C1', date_of_service: addDays(DEFAULT_DOS, -10) }),
      indexLine({ payer: ACME, claim_id: 'C2' }),
    ];
    const result = await run(lines, {
      packs: [pack('acme', [ACME], { FREQUENCY_EXCEEDED: { windows: [{ limit: 1, days: 365 }] } })],
    });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(1)]);
    expect(rowOf(result, 'FREQUENCY_EXCEEDED', lineOf(1)).related_lines).toBe(String(lineOf(0)));
  });

  it('coveredDiagnoses remove and add', async () => {
    const covered = pack('acme', [ACME], {}, { coveredDiagnoses: { remove: ['M54.16'], add: ['M54.89'] } });
    const result = await run(
      [
        { payer: ACME, dx: ['M54.16'] },
        { payer: OTHER, dx: ['M54.16'] },
        { payer: ACME, dx: ['M5489'] },
        { payer: OTHER, dx: ['M5489'] },
      ],
      { packs: [covered] },
    );
    expect(linesOfRule(result, 'DX_NOT_COVERED')).toEqual([lineOf(0), lineOf(3)]);
  });

  it('axialDiagnoses add, exemptDiagnoses add', async () => {
    const lists = pack('acme', [ACME], {}, { axialDiagnoses: { add: ['M5489'] } });
    const axial = await run([{ payer: ACME, dx: ['M5489'] }], { packs: [lists] });
    expect(rulesOnLine(axial, lineOf(0))).toEqual(['DX_AXIAL_ONLY']);
    const exempt = pack('acme', [ACME], {}, { exemptDiagnoses: { add: ['M5489'] } });
    const exempted = await run([{ payer: ACME, dx: ['M5489', 'B0222'] }], { packs: [exempt] });
    expect(exempted.rows).toEqual([]);
  });

  it('normalises the codes of a pack’s lists as rules.md says (trimmed, upper-case, no dot)', async () => {
    const lists = pack(
      'acme',
      [ACME],
      {},
      {
        coveredDiagnoses: { add: [' m54.89 '] },
        imagingCodes: { add: [' 0232t '] },
      },
    );
    const result = await run(
      [indexLine({ payer: ACME, dx: ['M54.89'] }), companion('0232T', { payer: ACME })],
      { packs: [lists] },
    );
    expect(rulesOnLine(result, lineOf(0))).toEqual([]);
    expect(rulesOnLine(result, lineOf(1))).toEqual(['IMAGING_BUNDLED']);
  });

  it('a window limit of 0: every 62323 session exceeds it', async () => {
    const none = pack('acme', [ACME], { FREQUENCY_EXCEEDED: { windows: [{ limit: 0, days: 30 }] } });
    const result = await run([indexLine({ payer: ACME }), { payer: OTHER }], { packs: [none] });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(0)]);
    expect(rowOf(result, 'FREQUENCY_EXCEEDED', lineOf(0)).related_lines).toBe('');
  });

  it('a pack’s imaging code is found across chunks and partitions', async () => {
    const imaging = pack('acme', [ACME], {}, { imagingCodes: { add: ['76942'] } });
    const filler = Array.from(
      { length: 30 },
      (_, index): LineInput => ({ member_id: `F${index}`, claim_id: `F${index}` }),
    );
    const lines = [
      indexLine({ payer: ACME }),
      ...filler,
      companion('76942', { payer: ACME, claim_id: 'C9' }),
    ];
    for (const layout of [{ recordsPerChunk: 2 }, { recordsPerChunk: 2, partitions: 3 }]) {
      const result = await run(lines, { packs: [imaging], ...layout });
      expect(linesOfRule(result, 'IMAGING_BUNDLED'), JSON.stringify(layout)).toEqual([lineOf(31)]);
      expect(rowOf(result, 'IMAGING_BUNDLED', lineOf(31)).related_lines).toBe(String(lineOf(0)));
    }
  });

  it('a whole list replaces the base list (allowedPlacesOfService: only 11)', async () => {
    const only11 = pack('acme', [ACME], {}, { allowedPlacesOfService: ['11'] });
    const result = await run(
      [
        { payer: ACME, place_of_service: '22' },
        { payer: ACME, place_of_service: '11' },
        { payer: OTHER, place_of_service: '22' },
      ],
      { packs: [only11] },
    );
    expect(linesOfRule(result, 'POS_NOT_ALLOWED')).toEqual([lineOf(0)]);
  });

  it('imagingCodes add: the added code is IMAGING_BUNDLED for the pack’s lines only', async () => {
    const imaging = pack('acme', [ACME], {}, { imagingCodes: { add: ['76942'] } });
    const result = await run(
      [
        indexLine({ payer: ACME }),
        companion('76942', { payer: ACME }),
        indexLine({ member_id: 'M2', claim_id: 'C2' }),
        companion('76942', { member_id: 'M2', claim_id: 'C2' }),
      ],
      { packs: [imaging] },
    );
    expect(linesOfRule(result, 'IMAGING_BUNDLED')).toEqual([lineOf(1)]);
    const row = rowOf(result, 'IMAGING_BUNDLED', lineOf(1));
    expect([row.severity, row.related_lines, row.rule_pack]).toEqual(['error', String(lineOf(0)), 'acme']);
  });
});

describe('effective dating', () => {
  const FROM = '2026-06-01';
  const TO = '2026-06-30';
  const DATES = [addDays(FROM, -1), FROM, TO, addDays(TO, 1)];
  const inRange = [false, true, true, false];

  it('a list entry counts only for dates of service in its range (both ends inclusive)', async () => {
    const dated = pack(
      'acme',
      [ACME],
      {},
      {
        coveredDiagnoses: { add: [{ code: 'M54.89', effectiveFrom: FROM, effectiveTo: TO }] },
      },
    );
    const result = await run(
      DATES.map((date_of_service) => ({ payer: ACME, date_of_service, dx: ['M5489'] })),
      { packs: [dated] },
    );
    const expected = DATES.map((_, index) => lineOf(index)).filter((_, index) => !inRange[index]);
    expect(linesOfRule(result, 'DX_NOT_COVERED')).toEqual(expected);
  });

  it('a rule entry applies only in its range; outside it the base rule set does', async () => {
    const dated = pack('acme', [ACME], {
      PRIOR_AUTH_MISSING: { severity: 'error', effectiveFrom: FROM, effectiveTo: TO },
      TIMELY_FILING: { days: 30, effectiveFrom: FROM, effectiveTo: TO },
      KX_ON_INTERLAMINAR: { enabled: false, effectiveFrom: FROM, effectiveTo: TO },
    });
    const lines = DATES.map((date_of_service) => probe(ACME, { date_of_service, modifiers: ['KX'] }));
    const result = await run(lines, { packs: [dated] });
    const severities = DATES.map((_, index) => rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(index)).severity);
    expect(severities).toEqual(inRange.map((inside) => (inside ? 'error' : 'warning')));
    const inside = DATES.map((_, index) => lineOf(index)).filter((_, index) => inRange[index]);
    const outside = DATES.map((_, index) => lineOf(index)).filter((_, index) => !inRange[index]);
    // The dates are 151–181 days before the as-of date: past 30 days, within 365.
    expect(linesOfRule(result, 'TIMELY_FILING')).toEqual(inside);
    expect(linesOfRule(result, 'KX_ON_INTERLAMINAR')).toEqual(outside);
  });

  it('only effectiveFrom: applies from that day on', async () => {
    const dated = pack('acme', [ACME], { PRIOR_AUTH_MISSING: { severity: 'error', effectiveFrom: FROM } });
    const result = await run(
      [probe(ACME, { date_of_service: addDays(FROM, -1) }), probe(ACME, { date_of_service: FROM })],
      {
        packs: [dated],
      },
    );
    expect([lineOf(0), lineOf(1)].map((line) => rowOf(result, 'PRIOR_AUTH_MISSING', line).severity)).toEqual([
      'warning',
      'error',
    ]);
  });
});

describe('effective dating, one end open', () => {
  it('only effectiveTo: applies up to and including that day', async () => {
    const TO = '2026-06-30';
    const dated = pack('acme', [ACME], { PRIOR_AUTH_MISSING: { severity: 'error', effectiveTo: TO } });
    const result = await run(
      [probe(ACME, { date_of_service: TO }), probe(ACME, { date_of_service: addDays(TO, 1) })],
      { packs: [dated] },
    );
    expect([lineOf(0), lineOf(1)].map((line) => rowOf(result, 'PRIOR_AUTH_MISSING', line).severity)).toEqual([
      'error',
      'warning',
    ]);
  });

  it('a line without a valid date of service gets no dated entry', async () => {
    const dated = pack('acme', [ACME], {
      PRIOR_AUTH_MISSING: { severity: 'error', effectiveFrom: '2000-01-01' },
    });
    const result = await run([probe(ACME, { date_of_service: '2026-02-30' })], { packs: [dated] });
    expect(rowOf(result, 'PRIOR_AUTH_MISSING', lineOf(0)).severity).toBe('warning');
  });
});

describe('cross-line findings are judged by the pack of the line they are on', () => {
  /** A 62323 line of one payer and a 77003 line of another, in one encounter. */
  const imagingPair = (indexPayer: string, imagingPayer: string): LineInput[] => [
    indexLine({ payer: indexPayer }),
    companion('77003', { payer: imagingPayer }),
  ];
  const bluebird = (setting: object) => pack('bluebird', [BLUEBIRD], { IMAGING_BUNDLED: setting });

  it('the 77003 line’s pack makes IMAGING_BUNDLED a warning', async () => {
    const result = await run(imagingPair(OTHER, BLUEBIRD), { packs: [bluebird({ severity: 'warning' })] });
    const row = rowOf(result, 'IMAGING_BUNDLED', lineOf(1));
    expect([row.severity, row.rule_pack, row.related_lines]).toEqual([
      'warning',
      'bluebird',
      String(lineOf(0)),
    ]);
  });

  it('the 77003 line’s pack turns IMAGING_BUNDLED off', async () => {
    const result = await run(imagingPair(OTHER, BLUEBIRD), { packs: [bluebird({ enabled: false })] });
    expect(result.rows).toEqual([]);
  });

  it('the 62323 line’s pack does not decide for the 77003 line', async () => {
    const result = await run(imagingPair(BLUEBIRD, OTHER), { packs: [bluebird({ enabled: false })] });
    const row = rowOf(result, 'IMAGING_BUNDLED', lineOf(1));
    expect([row.severity, row.rule_pack]).toEqual(['error', '62323/v2']);
  });

  it('the imaging line’s pack decides what counts as imaging', async () => {
    const imaging = pack('acme', [ACME], {}, { imagingCodes: { add: ['76942'] } });
    const listed = await run([indexLine({ payer: OTHER }), companion('76942', { payer: ACME })], {
      packs: [imaging],
    });
    expect(linesOfRule(listed, 'IMAGING_BUNDLED')).toEqual([lineOf(1)]);
    const unlisted = await run([indexLine({ payer: ACME }), companion('76942', { payer: OTHER })], {
      packs: [imaging],
    });
    expect(linesOfRule(unlisted, 'IMAGING_BUNDLED')).toEqual([]);
  });

  it('UNITS_EXCEED_MUE fires only on the 62323 lines whose pack has it on', async () => {
    const off = pack('bluebird', [BLUEBIRD], { UNITS_EXCEED_MUE: { enabled: false } });
    const result = await run([indexLine({ payer: OTHER }), indexLine({ payer: BLUEBIRD, claim_id: 'C2' })], {
      packs: [off],
    });
    expect(linesOfRule(result, 'UNITS_EXCEED_MUE')).toEqual([lineOf(0)]);
    expect(rowOf(result, 'UNITS_EXCEED_MUE', lineOf(0)).related_lines).toBe(String(lineOf(1)));
  });

  it('FREQUENCY_EXCEEDED is judged by the index line’s pack', async () => {
    const tight = pack('acme', [ACME], { FREQUENCY_EXCEEDED: { windows: [{ limit: 2, days: 365 }] } });
    const lines = [
      indexLine({ payer: OTHER, claim_id: 'C1', date_of_service: addDays(DEFAULT_DOS, -100) }),
      indexLine({ payer: OTHER, claim_id: 'C2', date_of_service: addDays(DEFAULT_DOS, -50) }),
      indexLine({ payer: OTHER, claim_id: 'C3' }),
      indexLine({ payer: ACME, claim_id: 'C4', rendering_npi: NPI_B }),
    ];
    const result = await run(lines, { packs: [tight] });
    expect(linesOfRule(result, 'FREQUENCY_EXCEEDED')).toEqual([lineOf(3)]);
    expect(rowOf(result, 'FREQUENCY_EXCEEDED', lineOf(3)).related_lines).toBe(`${lineOf(0)} ${lineOf(1)}`);
  });

  it('REPEAT_TOO_SOON is judged by the index line’s pack, not the earlier session’s', async () => {
    const repeat = pack('acme', [ACME], { REPEAT_TOO_SOON: { enabled: true } });
    const earlier = (payer: string) =>
      indexLine({ payer, claim_id: 'C1', date_of_service: addDays(DEFAULT_DOS, -5) });
    const onLater = await run([earlier(OTHER), indexLine({ payer: ACME, claim_id: 'C2' })], {
      packs: [repeat],
    });
    expect(linesOfRule(onLater, 'REPEAT_TOO_SOON')).toEqual([lineOf(1)]);
    const offLater = await run([earlier(ACME), indexLine({ payer: OTHER, claim_id: 'C2' })], {
      packs: [repeat],
    });
    expect(linesOfRule(offLater, 'REPEAT_TOO_SOON')).toEqual([]);
  });
});

describe('what the report records of the packs', () => {
  const acme = pack('acme', [ACME], {
    PRIOR_AUTH_MISSING: { severity: 'error' },
    TIMELY_FILING: { days: 180 },
  });
  const bluebird = { ...pack('bluebird', [BLUEBIRD]), version: '3.1' };
  const house = pack('house', [], { KX_ON_INTERLAMINAR: { enabled: false } });
  const payers = [ACME, ACME, ACME, BLUEBIRD, BLUEBIRD, OTHER, OTHER, OTHER, ' '];

  it('summary.json rulePacks: name, version, SHA-256 of the canonical JSON, lines adding up to checked', async () => {
    const result = await run(
      payers.map((payer) => ({ payer })),
      { packs: [acme, bluebird, house], defaultPack: 'house' },
    );
    const used = result.summary.rulePacks.filter((entry) => entry.lines > 0);
    expect([...used].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'acme', version: '1', sha256: sha256(acme), lines: 3 },
      { name: 'bluebird', version: '3.1', sha256: sha256(bluebird), lines: 2 },
      { name: 'house', version: '1', sha256: sha256(house), lines: 4 },
    ]);
    expect(result.summary.counts.checked).toBe(payers.length);
  });

  it('without packs, rulePacks holds the built-in 62323/v2 (version 2) with every checked line', async () => {
    const result = await run([{}, {}, { procedure_code: '99213' }]);
    expect(result.summary.rulePacks).toEqual([
      { name: '62323/v2', version: '2', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), lines: 3 },
    ]);
  });

  it('findings.csv rule_pack names the pack that judged each line', async () => {
    const result = await run(
      payers.map((payer) => probe(payer)),
      { packs: [acme, bluebird, house], defaultPack: 'house' },
    );
    expect(result.rows.map((row) => row.rule_pack)).toEqual([
      ...['acme', 'acme', 'acme'],
      ...['bluebird', 'bluebird'],
      ...['house', 'house', 'house', 'house'],
    ]);
  });

  it('byRule: a rule with two severities counts all its findings and splits them by severity', async () => {
    const result = await run([probe(ACME), probe(OTHER), probe(OTHER)], { packs: [acme] });
    expect(result.summary.counts.findings).toEqual({ error: 1, warning: 2, info: 0 });
    // formats.md is silent on the shape; the engine gives the most severe and the split.
    expect(result.summary.byRule.PRIOR_AUTH_MISSING).toMatchObject({
      findings: 3,
      severity: 'error',
      severities: { error: 1, warning: 2, info: 0 },
    });
  });
});

describe('BAD_RULE_PACK', () => {
  const BAD = {
    name: 'bad pack',
    version: '1',
    rules: {
      NOPE: {},
      FREQUENCY_EXCEEDED: { windows: [{ limit: 1, days: 0 }] },
      PRIOR_AUTH_MISSING: { severity: 'fatal' },
      TIMELY_FILING: { days: 4000 },
    },
    lists: { coveredDiagnoses: { add: [{ code: 'M5416', effectiveFrom: '2026-02-30' }] }, bogus: [] },
  };
  const refusal = (fn: () => unknown): { code?: string; message: string } => {
    try {
      fn();
    } catch (error) {
      return error as { code?: string; message: string };
    }
    throw new Error('expected the packs to be refused');
  };

  it('loadRuleBooks throws naming every problem by its JSON path', () => {
    const error = refusal(() => booksOf([BAD]));
    expect(error.code).toBe('BAD_RULE_PACK');
    for (const path of [
      'name',
      'rules.NOPE',
      'rules.FREQUENCY_EXCEEDED.windows[0].days',
      'rules.PRIOR_AUTH_MISSING.severity',
      'rules.TIMELY_FILING.days',
      'lists.coveredDiagnoses.add[0].effectiveFrom',
      'lists.bogus',
    ])
      expect(error.message).toContain(`${path}:`);
  });

  // packs.md: a pack that does not validate "is refused with every problem named". loadRuleBooks
  // stops at the first bad pack (functions/core/rules/packs/load.ts: packs.map(parseRulePack) throws).
  it('names the problems of every bad pack, not only the first one', () => {
    const error = refusal(() =>
      booksOf([pack('a', [], { NOPE: {} }), pack('b', [], { TIMELY_FILING: { days: 0 } })]),
    );
    expect(error.message).toContain('rules.NOPE');
    expect(error.message).toContain('rules.TIMELY_FILING.days');
  });

  it('refuses a set with two packs claiming one payer, a duplicate name, or an unknown default', () => {
    const claims = refusal(() => booksOf([pack('a', [ACME]), pack('b', [' acme health '])]));
    expect(claims.code).toBe('BAD_RULE_PACK');
    expect(claims.message).toMatch(/claim payer/);
    expect(refusal(() => booksOf([pack('a', []), pack('a', [])])).code).toBe('BAD_RULE_PACK');
    const missing = refusal(() => booksOf([pack('a', [])], 'nowhere'));
    expect(missing.code).toBe('BAD_RULE_PACK');
    expect(missing.message).toMatch(/nowhere/);
  });
});

describe('check --rules', () => {
  const WORKER_URL = pathToFileURL(join(process.cwd(), 'dist/worker.js'));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scrub62323-packs-'));
  });
  const capture = (): CommandIo & { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
  };
  const write = async (name: string, text: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('exits 2 with one sentence naming the file and the path of the problem; writes no report', async () => {
    const bad = await write(
      'bad.json',
      JSON.stringify(pack('bad', [], { FREQUENCY_EXCEEDED: { windows: [{ limit: 1, days: 0 }] } })),
    );
    const file = await write('b.csv', batch([{}]));
    const out = join(dir, 'refused');
    const io = capture();
    expect(await main(['check', file, '--rules', bad, '--out', out, '--as-of', '2026-11-28'], io)).toBe(2);
    const text = io.err.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toContain('bad.json');
    expect(text).toContain('rules.FREQUENCY_EXCEEDED.windows[0].days');
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 in one sentence for a --rules-default that names no loaded pack', async () => {
    const good = await write('house.json', JSON.stringify(pack('house', [])));
    const file = await write('c.csv', batch([{}]));
    const io = capture();
    expect(
      await main(
        ['check', file, '--rules', good, '--rules-default', 'elsewhere', '--out', join(dir, 'x')],
        io,
      ),
    ).toBe(2);
    expect(io.err.join('').trim().split('\n')).toHaveLength(1);
    expect(io.err.join('')).toContain('elsewhere');
  });

  it.each(['0', '1'])(
    '--rules good.json --rules-default NAME judges the batch by the pack (workers %s)',
    async (workers) => {
      const house = pack('house', [], { PRIOR_AUTH_MISSING: { severity: 'error' } });
      // Pretty-printed, keys out of order: the recorded SHA-256 is of the canonical JSON.
      const good = await write(`good-${workers}.json`, `${JSON.stringify(house, null, 2)}\n`);
      const file = await write(`d-${workers}.csv`, batch([probe(OTHER), {}]));
      const out = join(dir, `judged-${workers}`);
      const args = [file, '--rules', good, '--rules-default', 'house', '--out', out, '--as-of', '2026-11-28'];
      const code = await runCheckCommand([...args, '--workers', workers, '--fail-on', 'error'], capture(), {
        workerUrl: WORKER_URL,
      });
      expect(code).toBe(1);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(summary.rulePacks.filter((entry: { lines: number }) => entry.lines > 0)).toEqual([
        { name: 'house', version: '1', sha256: sha256(house), lines: 2 },
      ]);
      const findings = await readFile(join(out, 'findings.csv'), 'utf8');
      expect(findings).toMatch(/,PRIOR_AUTH_MISSING,error,.*,house,/);
    },
  );
});
