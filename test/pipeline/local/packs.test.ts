/**
 * Rule packs through the local pipeline (packs.md): every packs/*.json of the work bucket is read
 * when a batch is split and copied into its manifest; `incoming/<pack>/…` names the batch's default
 * pack; a pack that does not validate (or a folder that names none) rejects the batch as
 * BAD_RULE_PACK. The report is the one `check --rules …` writes for the same inputs.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ObjectStore } from '../../../functions/adapters/s3.js';
import { runCheckCommand } from '../../../functions/cli/commands/check.js';
import type { Summary } from '../../../functions/core/report/summary.js';
import { packKeyNames, runPipeline } from '../../../functions/local/run.js';
import { decodeManifest } from '../../../functions/pipeline/work-files.js';
import { AS_OF, SAMPLE, SAMPLE_HISTORY, syntheticBatch } from '../helpers.js';
import { pipelineStarter } from './pipelines.js';

const PACKS = ['samples/packs/commercial-um.json', 'samples/packs/medicare.json'];
const start = pipelineStarter({ chunkLines: 100 });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scrub62323-pipeline-packs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The report of `check` with the same packs, history and as-of date. */
async function checkReport(args: readonly string[]): Promise<{ findings: string; summary: Summary }> {
  const out = join(dir, `check-${Math.random().toString(36).slice(2)}`);
  const io = { stdout: () => undefined, stderr: () => undefined, interactive: false };
  const code = await runCheckCommand([SAMPLE, '--as-of', AS_OF, '--out', out, ...args], io, {
    workerUrl: new URL('../../../dist/worker.js', import.meta.url),
  });
  expect(code).toBe(0);
  return {
    findings: await readFile(join(out, 'findings.csv'), 'utf8'),
    summary: JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as Summary,
  };
}

describe('rule packs in the pipeline', () => {
  it('judges the sample with the packs of packs/ exactly as check --rules does, and records them', async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      packs: PACKS,
      history: [SAMPLE_HISTORY],
      chunkLines: 100,
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    const check = await checkReport([
      '--history',
      SAMPLE_HISTORY,
      ...PACKS.flatMap((pack) => ['--rules', pack]),
    ]);
    expect(run.files['findings.csv']).toBe(check.findings);
    expect(run.summary.rulePacks).toEqual(check.summary.rulePacks);
    expect(run.summary.rulePacks.map((pack) => pack.name).sort()).toEqual([
      '62323/v2',
      'commercial-um',
      'medicare',
    ]);
    expect(run.files['findings.csv']).toMatch(/,commercial-um,/);
  });

  it('takes the default pack from the upload folder incoming/<pack>/', async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      packs: PACKS,
      defaultPack: 'medicare',
      chunkLines: 100,
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    expect(run.upload.key).toBe('incoming/medicare/nightly-batch.csv');
    const check = await checkReport([
      ...PACKS.flatMap((pack) => ['--rules', pack]),
      '--rules-default',
      'medicare',
    ]);
    expect(run.files['findings.csv']).toBe(check.findings);
    // Every line no other pack claims is judged by medicare: the built-in rule set judges none.
    expect(run.summary.rulePacks.map((pack) => pack.name).sort()).toEqual(['commercial-um', 'medicare']);
  });

  it('copies the packs into the manifest when the batch is split', async () => {
    const pipeline = await start();
    await pipeline.uploadPack('samples/packs/medicare.json');
    const upload = await pipeline.uploadBatch('incoming/copy.csv', Buffer.from(syntheticBatch(150)));
    await pipeline.announce(upload);
    await pipeline.drain({ until: () => pipeline.noticeFor(upload) !== undefined, timeoutMs: 60_000 });
    const batchId = pipeline.noticeFor(upload)!.batchId;
    const [manifestKey] = (
      await pipeline.listKeys(pipeline.resources.buckets.work, `work/${batchId}/`)
    ).filter((key) => key.endsWith('manifest.json'));
    const bytes = await s3ObjectStore(pipeline.admin.s3).read(pipeline.resources.buckets.work, manifestKey!);
    const manifest = decodeManifest(bytes!, manifestKey!);
    expect(manifest.rulePacks.packs).toEqual([
      { origin: 'packs/medicare.json', text: await readFile('samples/packs/medicare.json', 'utf8') },
    ]);
  });

  it('loads two packs whose files share a name (a/p.json, b/p.json): neither overwrites the other', async () => {
    const paths = [join(dir, 'a', 'p.json'), join(dir, 'b', 'p.json')];
    for (const [index, path] of paths.entries()) {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, await readFile(PACKS[index]!, 'utf8'));
    }
    expect(packKeyNames([...paths, join(dir, 'c', 'p.json'), 'x/q'])).toEqual([
      'p.json',
      'p-2.json',
      'p-3.json',
      'q',
    ]);
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      packs: paths,
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    expect(run.summary.rulePacks.map((pack) => pack.name).sort()).toEqual([
      '62323/v2',
      'commercial-um',
      'medicare',
    ]);
    const check = await checkReport(paths.flatMap((pack) => ['--rules', pack]));
    // packs/ is read in key order (p-2.json first): the same packs, listed in another order.
    const byName = (packs: Summary['rulePacks']) => [...packs].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(run.summary.rulePacks)).toEqual(byName(check.summary.rulePacks));
  });

  it('rejects the batch as BAD_RULE_PACK, every problem named, when a pack does not validate', async () => {
    const bad = join(dir, 'broken.json');
    await writeFile(
      bad,
      JSON.stringify({ name: 'broken', version: '1', rules: { NOPE: {}, TIMELY_FILING: { days: 0 } } }),
    );
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      packs: [bad],
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    expect(run.summary.status).toBe('rejected');
    expect(run.summary.error).toEqual({
      code: 'BAD_RULE_PACK',
      message:
        'packs/broken.json: rules.TIMELY_FILING.days: must be 1–3650, got 0; rules.NOPE: unknown rule id',
    });
    expect(run.summary.counts.checked).toBe(0);
    expect(run.summary.source.bytes).toBeGreaterThan(0);
  });

  it('rejects an upload whose folder names no loaded pack, rather than judging it by other rules', async () => {
    const run = await runPipeline({
      file: SAMPLE,
      asOf: AS_OF,
      packs: PACKS,
      defaultPack: 'no-such-pack',
      logLevel: 'SILENT',
      timeoutMs: 60_000,
    });
    expect(run.summary.status).toBe('rejected');
    expect(run.summary.error?.code).toBe('BAD_RULE_PACK');
    expect(run.summary.error?.message).toMatch(/default pack/);
  });
});
