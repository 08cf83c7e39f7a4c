import { describe, expect, it } from 'vitest';
import { BATCH_ID_PATTERN, batchIdOf, eventDateOf, stemOf } from '../../functions/pipeline/batch-id.js';
import type { Upload } from '../../functions/pipeline/s3-event.js';

const upload = (overrides: Partial<Upload> = {}): Upload => ({
  bucket: 'scrub62323-intake',
  key: 'incoming/nightly-batch.csv',
  eTag: 'abc123',
  sequencer: '0055AED6DCD90281E5',
  eventTime: '2026-11-28T03:12:09.123Z',
  ...overrides,
});

describe('batchIdOf', () => {
  it('is the event date, the file stem and a short hash', () => {
    expect(batchIdOf(upload())).toMatch(/^2026-11-28-nightly-batch-[0-9a-f]{10}$/);
  });

  it('is the same for the same event delivered twice', () => {
    expect(batchIdOf(upload())).toBe(batchIdOf(upload()));
  });

  it('is one batch per uploaded object, whatever the sequencer of its event', () => {
    const first = batchIdOf(upload());
    expect(batchIdOf(upload({ sequencer: '0055AED6DCD90281F0' }))).toBe(first);
    expect(batchIdOf(upload({ sequencer: undefined }))).toBe(first);
    expect(batchIdOf(upload({ eventTime: '2026-11-28T03:12:11.000Z' }))).toBe(first);
    const versioned = upload({ versionId: 'v1' });
    expect(batchIdOf({ ...versioned, sequencer: '0055AED6DCD90281F0' })).toBe(batchIdOf(versioned));
    // The version names the object: an ETag missing from one event changes nothing.
    expect(batchIdOf({ ...versioned, eTag: undefined })).toBe(batchIdOf(versioned));
  });

  it('differs for a re-upload under the same name (new ETag or version) and for another key', () => {
    const first = batchIdOf(upload());
    expect(batchIdOf(upload({ eTag: 'def456' }))).not.toBe(first);
    expect(batchIdOf(upload({ versionId: 'v2' }))).not.toBe(batchIdOf(upload({ versionId: 'v1' })));
    expect(batchIdOf(upload({ versionId: 'v1' }))).not.toBe(first);
    expect(batchIdOf(upload({ key: 'incoming/other/nightly-batch.csv' }))).not.toBe(first);
    expect(batchIdOf(upload({ bucket: 'elsewhere' }))).not.toBe(first);
  });

  it('falls back to the sequencer, then the event time, when an event names no version or ETag', () => {
    const bare = upload({ eTag: undefined });
    expect(batchIdOf(bare)).toBe(batchIdOf({ ...bare }));
    expect(batchIdOf({ ...bare, sequencer: '0055AED6DCD90281F0' })).not.toBe(batchIdOf(bare));
    const a = upload({ eTag: undefined, sequencer: undefined, eventTime: '2026-11-28T03:12:09.000Z' });
    const b = upload({ eTag: undefined, sequencer: undefined, eventTime: '2026-11-28T03:15:00.000Z' });
    expect(batchIdOf(a)).not.toBe(batchIdOf(b));
    expect(batchIdOf(a)).toBe(batchIdOf({ ...a }));
  });

  it.each([
    ['incoming/../../etc/passwd.csv', /^2026-11-28-passwd-/],
    ['incoming/..csv', /^2026-11-28-batch-/],
    ['incoming/Night batch+1 & more.csv.gz', /^2026-11-28-Night-batch-1-more-/],
    ['incoming/résumé – 2026 ✓.csv', /^2026-11-28-resume-2026-/],
    ['incoming/日本語.csv', /^2026-11-28-batch-/],
    ['incoming/a/b/..hidden...csv', /^2026-11-28-hidden-/],
    [`incoming/${'x'.repeat(300)}.csv`, /^2026-11-28-x{40}-/],
  ])('is a safe path segment for %s', (key, shape) => {
    const id = batchIdOf(upload({ key }));
    expect(id).toMatch(shape);
    expect(id).toMatch(BATCH_ID_PATTERN);
    expect(id).not.toContain('..');
    expect(id.length).toBeLessThanOrEqual(64);
  });
});

describe('stemOf and eventDateOf', () => {
  it('drops folders and the .csv / .csv.gz suffix', () => {
    expect(stemOf('incoming/x/2026-11-27.nightly.CSV')).toBe('2026-11-27.nightly');
    expect(stemOf('incoming/batch.csv.gz')).toBe('batch');
  });

  it('takes the UTC date, also from times JavaScript cannot parse', () => {
    expect(eventDateOf('2026-11-28T23:30:00-05:00')).toBe('2026-11-29');
    expect(eventDateOf('2026-11-28T10:00:00.123456+0000x')).toBe('2026-11-28');
    expect(() => eventDateOf('yesterday')).toThrow();
  });
});
