/**
 * compose on the wire: the same pieces written through the embedded emulator (in-process and in its
 * child process, both with UploadPartCopy added) and through moto_server (its own UploadPartCopy),
 * read back against plain concatenation (the oracle).
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3ObjectStore } from '../../functions/adapters/s3.js';
import { startEmulator } from '../../functions/local/emulator.js';
import { createClients } from '../../functions/local/resources.js';
import type { ComposePiece } from '../../functions/pipeline/ports.js';
import { hasMoto, motoForTests } from '../support/moto.js';

const MIB = 1024 * 1024;

async function expectComposed(endpoint: string): Promise<void> {
  const client = createClients({ endpoint, region: 'us-east-1' }).s3;
  try {
    const store = s3ObjectStore(client);
    const bucket = `compose-${randomBytes(4).toString('hex')}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    // Two pieces copied in part (each over 5 MiB), one small piece read, bytes in hand between.
    // The second is over fauxqs's 11 MiB body limit: copied in one part all the same.
    const big = [randomBytes(6 * MIB + 123), randomBytes(13 * MIB), randomBytes(1000)];
    const keys = ['work/a b/render/000000', 'work/a b/render/000001', 'work/a b/render/000002'];
    for (const [index, bytes] of big.entries()) await store.write(bucket, keys[index]!, bytes);
    const header = Buffer.from('line,claim_id\n');
    const pieces: ComposePiece[] = [
      { bytes: header },
      ...keys.map((key, index) => ({ bucket, key, size: big[index]!.byteLength })),
      { bytes: Buffer.from('tail\n') },
    ];
    await store.compose(bucket, 'reports/findings.csv', pieces, { contentType: 'text/csv' });
    const read = await store.read(bucket, 'reports/findings.csv');
    expect(Buffer.compare(Buffer.from(read!), Buffer.concat([header, ...big, Buffer.from('tail\n')]))).toBe(
      0,
    );
    // A few bytes go up in one PUT; nothing at all is an empty object.
    await store.compose(bucket, 'small', [{ bytes: header }, { bucket, key: keys[2]!, size: 1000 }]);
    expect(Buffer.from((await store.read(bucket, 'small'))!)).toEqual(Buffer.concat([header, big[2]!]));
    await store.compose(bucket, 'empty', []);
    expect((await store.read(bucket, 'empty'))!.byteLength).toBe(0);
  } finally {
    client.destroy();
  }
}

describe('compose through UploadPartCopy', () => {
  for (const isolated of [false, true]) {
    it(`writes the pieces in order on the embedded emulator${isolated ? ' (child process)' : ''}`, async () => {
      const emulator = await startEmulator({ isolated });
      try {
        await expectComposed(emulator.endpoint);
      } finally {
        await emulator.stop();
      }
    }, 60_000);
  }

  const moto = hasMoto ? motoForTests() : undefined;
  it.skipIf(!hasMoto)(
    'writes the pieces in order on moto_server',
    async () => {
      await expectComposed(moto!.endpoint);
    },
    60_000,
  );
});
