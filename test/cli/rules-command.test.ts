/**
 * `scrub62323 rules [--rules FILE …]` and `scrub62323 explain <RULE_ID>` (formats.md "Command line"):
 * the active catalog — id, severity, on/off, title, source — and one rule in full.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../functions/cli/io.js';
import { main } from '../../functions/cli/main.js';
import { RULES, sourceOf } from '../../functions/core/rules/catalog.js';
import { SPEC_RULE_IDS, SPEC_RULES, type SpecRuleId } from '../support/spec.js';

interface CatalogRow {
  readonly id: string;
  readonly severity: string;
  readonly severityChanged: boolean;
  readonly onOff: string;
  readonly onOffChanged: boolean;
  /** "title — source" */
  readonly rest: string;
}

const ROW = /^\s+([A-Z][A-Z0-9_]+)\s+(error|warning|info)(\*?)\s+(on|off)(\*?)\s+(.+)$/;

/** The rows of each section of `rules` output (a section starts at a line without indentation). */
function sections(text: string): Map<string, CatalogRow[]> {
  const out = new Map<string, CatalogRow[]>();
  let current: CatalogRow[] | undefined;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      current = [];
      out.set(line.trim(), current);
      continue;
    }
    const match = ROW.exec(line);
    if (match === null || current === undefined) continue;
    const [, id, severity, severityMark, onOff, onOffMark, rest] = match;
    current.push({
      id: id!,
      severity: severity!,
      severityChanged: severityMark === '*',
      onOff: onOff!,
      onOffChanged: onOffMark === '*',
      rest: rest!,
    });
  }
  return out;
}

function capture(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.out.join(''), err: io.err.join('') };
}

const PACK = {
  name: 'acme',
  version: '4',
  payers: ['Acme Health'],
  rules: {
    PRIOR_AUTH_MISSING: { severity: 'error' },
    KX_ON_INTERLAMINAR: { enabled: false },
    REPEAT_TOO_SOON: { enabled: true, days: 21 },
    TIMELY_FILING: { days: 90 },
    POS_UNUSUAL: { severity: 'error', effectiveFrom: '2026-06-01' },
  },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scrub62323-rules-'));
});
const packFile = async (name: string, json: unknown): Promise<string> => {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(json, null, 2));
  return file;
};

describe('scrub62323 rules', () => {
  it('lists all 38 rules of 62323/v2 with severity, on/off, title and source', async () => {
    const { code, out } = await cli(['rules']);
    expect(code).toBe(0);
    const found = sections(out);
    expect([...found.keys()]).toEqual(['Rule set 62323/v2']);
    const rows = found.get('Rule set 62323/v2')!;
    expect(rows.map((row) => row.id)).toEqual([...SPEC_RULE_IDS]);
    for (const row of rows) {
      const id = row.id as SpecRuleId;
      expect(row.severity, id).toBe(SPEC_RULES[id]);
      expect(row.onOff, id).toBe(id === 'REPEAT_TOO_SOON' ? 'off' : 'on');
      expect(row.severityChanged || row.onOffChanged, `${id} marked as changed`).toBe(false);
      expect(row.rest, id).toContain(RULES[id].title);
      expect(row.rest, id).toContain(sourceOf(id));
    }
  });

  it('with --rules, shows the pack’s settings and marks the values it changed', async () => {
    const file = await packFile('acme.json', PACK);
    const { code, out } = await cli(['rules', '--rules', file, '--as-of', '2026-11-28']);
    expect(code).toBe(0);
    const found = sections(out);
    expect([...found.keys()]).toEqual(['Rule set 62323/v2', 'Rule pack acme (version 4)']);
    const rows = new Map(found.get('Rule pack acme (version 4)')!.map((row) => [row.id, row]));
    expect(rows.size).toBe(38);
    expect(rows.get('PRIOR_AUTH_MISSING')).toMatchObject({ severity: 'error', severityChanged: true });
    expect(rows.get('KX_ON_INTERLAMINAR')).toMatchObject({ onOff: 'off', onOffChanged: true });
    expect(rows.get('REPEAT_TOO_SOON')).toMatchObject({ onOff: 'on', onOffChanged: true });
    expect(rows.get('POS_UNUSUAL')).toMatchObject({ severity: 'error', severityChanged: true });
    const unchanged = [...rows.values()].filter(
      (row) =>
        !['PRIOR_AUTH_MISSING', 'KX_ON_INTERLAMINAR', 'REPEAT_TOO_SOON', 'POS_UNUSUAL'].includes(row.id),
    );
    expect(unchanged.filter((row) => row.severityChanged || row.onOffChanged)).toEqual([]);
    // The built-in section is not changed by the pack.
    const builtIn = found.get('Rule set 62323/v2')!;
    expect(builtIn.find((row) => row.id === 'PRIOR_AUTH_MISSING')?.severity).toBe('warning');
  });

  it('shows a dated pack entry as it applies on the --as-of date', async () => {
    const file = await packFile('dated.json', PACK);
    const before = sections((await cli(['rules', '--rules', file, '--as-of', '2026-05-31'])).out);
    const from = sections((await cli(['rules', '--rules', file, '--as-of', '2026-06-01'])).out);
    const posUnusual = (found: Map<string, CatalogRow[]>) =>
      found.get('Rule pack acme (version 4)')!.find((row) => row.id === 'POS_UNUSUAL');
    expect(posUnusual(before)).toMatchObject({ severity: 'warning', severityChanged: false });
    expect(posUnusual(from)).toMatchObject({ severity: 'error', severityChanged: true });
  });

  // A pack's changed options (TIMELY_FILING days 90, REPEAT_TOO_SOON days 21) are pack values too.
  it('shows a changed option of the pack, marked', async () => {
    const file = await packFile('options.json', PACK);
    const { out } = await cli(['rules', '--rules', file, '--as-of', '2026-11-28']);
    const packPart = out.slice(out.indexOf('Rule pack acme'));
    const timely = packPart.split('\n').find((line) => line.includes('TIMELY_FILING'));
    expect(timely).toMatch(/\b90\b.*\*|\*.*\b90\b/);
  });

  it('refuses a bad pack with exit 2 and one sentence naming the problem', async () => {
    const file = await packFile('bad.json', { ...PACK, rules: { TIMELY_FILING: { days: 0 } } });
    const { code, err } = await cli(['rules', '--rules', file]);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('rules.TIMELY_FILING.days');
  });
});

describe('scrub62323 explain', () => {
  it('prints the trigger, fix and sources of TIMELY_FILING', async () => {
    const { code, out } = await cli(['explain', 'TIMELY_FILING']);
    expect(code).toBe(0);
    expect(out).toContain('TIMELY_FILING');
    expect(out).toMatch(/Fires when: .*365 days/);
    expect(out).toContain(`Fix: ${RULES.TIMELY_FILING.fix}`);
    expect(out).toContain('42 CFR 424.44');
    for (const source of RULES.TIMELY_FILING.sources) expect(out).toContain(source);
  });

  it.each(SPEC_RULE_IDS.map((id) => [id]))('explains %s', async (id) => {
    const { code, out } = await cli(['explain', id]);
    expect(code).toBe(0);
    expect(out).toContain(RULES[id].fix);
    expect(out).toContain(sourceOf(id));
    expect(out).toMatch(/Fires when: \S/);
  });

  it('exits 2 with one sentence for an unknown rule id', async () => {
    const { code, out, err } = await cli(['explain', 'NOPE']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('NOPE');
    expect(err).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });
});
