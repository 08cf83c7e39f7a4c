import { describe, expect, it } from 'vitest';
import {
  decodeEventKey,
  encodeEventKey,
  isUploadKey,
  objectCreatedEvent,
  parseIntakeMessage,
  testEvent,
  UnreadableMessageError,
} from '../../functions/pipeline/s3-event.js';

describe('S3 event keys', () => {
  it.each([
    ['incoming/my+batch.csv', 'incoming/my batch.csv'],
    ['incoming/a%2Bb%26c.csv', 'incoming/a+b&c.csv'],
    ['incoming/r%C3%A9sum%C3%A9+%E2%9C%93.csv', 'incoming/résumé ✓.csv'],
    ['incoming%2Fnested%2Fx.csv', 'incoming/nested/x.csv'],
  ])('decodes %s', (raw, key) => {
    expect(decodeEventKey(raw)).toBe(key);
  });

  it('encodes as S3 does and round-trips odd names', () => {
    const key = 'incoming/Night batch+1 & é 💉 (v2).csv';
    expect(encodeEventKey(key)).toBe('incoming/Night+batch%2B1+%26+%C3%A9+%F0%9F%92%89+(v2).csv');
    expect(decodeEventKey(encodeEventKey(key))).toBe(key);
  });

  it('rejects broken percent-encoding as unreadable', () => {
    expect(() => decodeEventKey('incoming/%E2%9C.csv')).toThrow(UnreadableMessageError);
  });

  it('answers every object under incoming/ but folder markers, whatever its name', () => {
    expect(isUploadKey('incoming/a.csv')).toBe(true);
    expect(isUploadKey('incoming/A.CSV.GZ')).toBe(true);
    expect(isUploadKey('incoming/a.txt')).toBe(true);
    expect(isUploadKey('incoming/commercial/a.csv')).toBe(true);
    expect(isUploadKey('incoming/commercial/')).toBe(false);
    expect(isUploadKey('incoming/')).toBe(false);
    expect(isUploadKey('other/a.csv')).toBe(false);
  });
});

describe('parseIntakeMessage', () => {
  it('recognises the s3:TestEvent', () => {
    expect(parseIntakeMessage(testEvent('b', new Date()))).toEqual({ kind: 'test-event' });
  });

  it('reads an ObjectCreated record with the key decoded', () => {
    const body = objectCreatedEvent({
      bucket: 'intake',
      key: 'incoming/a b+c.csv',
      size: 10,
      eTag: '"abc"',
      sequencer: '00AB',
      eventTime: new Date('2026-11-28T01:02:03Z'),
    });
    expect(parseIntakeMessage(body)).toEqual({
      kind: 'uploads',
      ignoredRecords: 0,
      uploads: [
        {
          bucket: 'intake',
          key: 'incoming/a b+c.csv',
          eTag: 'abc',
          sequencer: '00AB',
          size: 10,
          eventTime: '2026-11-28T01:02:03.000Z',
        },
      ],
    });
  });

  it('skips records that are not ObjectCreated', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectRemoved:Delete',
          s3: { bucket: { name: 'b' }, object: { key: 'k' } },
        },
      ],
    });
    expect(parseIntakeMessage(body)).toEqual({ kind: 'uploads', uploads: [], ignoredRecords: 1 });
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"hello":1}', 'no Records'],
    ['{"Records":[{"eventSource":"aws:sqs"}]}', 'not an S3 record'],
    [
      '{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]}',
      'lacks',
    ],
  ])('refuses %s', (body, reason) => {
    expect(() => parseIntakeMessage(body)).toThrow(reason);
  });
});

describe('parseIntakeMessage problems', () => {
  const record = (s3Object: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: '2026-11-28T01:02:03.000Z',
          s3: { bucket: { name: 'intake' }, object: s3Object },
          ...extra,
        },
      ],
    });

  it('reads what moto sends: no identities, a local time without a zone', () => {
    const body = record(
      { key: 'incoming/a+b.csv', size: 5, eTag: 'abc' },
      { eventTime: '2026-11-28T01:02:03.123456' },
    );
    expect(parseIntakeMessage(body)).toEqual({
      kind: 'uploads',
      ignoredRecords: 0,
      uploads: [
        {
          bucket: 'intake',
          key: 'incoming/a b.csv',
          eTag: 'abc',
          size: 5,
          eventTime: '2026-11-28T01:02:03.123456',
        },
      ],
    });
  });

  it('leaves out the "null" version of an unversioned bucket and empty optional fields', () => {
    const body = record({ key: 'incoming/a.csv', versionId: 'null', eTag: '', sequencer: '' });
    expect(parseIntakeMessage(body)).toStrictEqual({
      kind: 'uploads',
      ignoredRecords: 0,
      uploads: [{ bucket: 'intake', key: 'incoming/a.csv', eventTime: '2026-11-28T01:02:03.000Z' }],
    });
  });

  it.each([
    [record({}), 'Records[0].s3.object.key: missing'],
    [record({ key: '' }), 'Records[0].s3.object.key: must not be empty'],
    [record({ key: 'incoming/%E2%9C.csv' }), 'Records[0].s3.object.key: expected URL-encoded UTF-8'],
    [record({ key: 'incoming/a.csv', size: '5' }), 'Records[0].s3.object.size: expected a number'],
    [
      record({ key: 'incoming/a.csv' }, { eventTime: 'yesterday' }),
      'Records[0].eventTime: expected an ISO 8601 date-time',
    ],
    [record({ key: 'incoming/a.csv' }, { eventTime: undefined }), 'Records[0].eventTime: missing'],
    [record({ key: 'incoming/a.csv' }, { s3: { object: { key: 'k' } } }), 'Records[0].s3.bucket: missing'],
  ])('names the field of a bad ObjectCreated record (%#)', (body, problem) => {
    expect(() => parseIntakeMessage(body)).toThrow(
      expect.objectContaining({
        name: 'UnreadableMessageError',
        code: 'UNREADABLE_MESSAGE',
        message: `the intake message is not an S3 event notification: an ObjectCreated record lacks a usable field (${problem})`,
      }),
    );
  });

  it('names the record that is not from S3', () => {
    const body = JSON.stringify({
      Records: [
        { eventSource: 'aws:s3', s3: {} },
        { eventSource: 'aws:sqs', s3: {} },
      ],
    });
    expect(() => parseIntakeMessage(body)).toThrow(
      'a record is not an S3 record (Records[1].eventSource: expected "aws:s3")',
    );
    expect(() => parseIntakeMessage('{"Records":{}}')).toThrow(
      'it has no Records (Records: expected a list)',
    );
  });

  it('never quotes the values it refuses', () => {
    const body = record({ key: 'incoming/a.csv', size: 'Jane Doe 1960-02-03' });
    expect(() => parseIntakeMessage(body)).toThrow(UnreadableMessageError);
    expect(() => parseIntakeMessage(body)).not.toThrow(/Jane/);
    expect(() => parseIntakeMessage('Jane Doe 1960-02-03')).not.toThrow(/Jane/);
  });

  it('ignores an s3:TestEvent whatever else it carries', () => {
    expect(parseIntakeMessage('{"Event":"s3:TestEvent","RequestId":"X","HostId":"Y"}')).toEqual({
      kind: 'test-event',
    });
  });
});
