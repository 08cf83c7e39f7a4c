/**
 * Processing one upload again from scratch, as a retry after its work files expired (or a crash before
 * any was written) would: the work files are deleted and the upload's S3 event is sent again.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { LocalPipeline } from '../../../functions/local/runner.js';
import type { UploadedObject } from '../../../functions/local/upload.js';
import { workKeys } from '../../../functions/pipeline/keys.js';

/** Sends an event, runs the functions until the next report is in; returns its batch id. */
async function nextReport(pipeline: LocalPipeline, send: () => Promise<unknown>): Promise<string> {
  const reports = pipeline.notices.length;
  await send();
  await pipeline.drain({ until: () => pipeline.notices.length > reports, timeoutMs: 60_000 });
  return pipeline.notices.at(-1)!.batchId;
}

/** Runs an upload to its report, its event sent as runPipeline sends it; returns its batch id. */
export const processUpload = (pipeline: LocalPipeline, upload: UploadedObject): Promise<string> =>
  nextReport(pipeline, async () => {
    // An endpoint's own event (moto's names no version) is completed by the runner, as in a run.
    const own = pipeline.nativeNotifications ? await pipeline.awaitEndpointEvent(upload) : 'none';
    if (own === 'none') await pipeline.announce(upload);
  });

/** Deletes the batch's work files and sends its upload's event again: the same batch, merged and recorded again. */
export async function reprocess(pipeline: LocalPipeline, upload: UploadedObject, batchId: string) {
  const bucket = pipeline.resources.buckets.work;
  for (const key of await pipeline.listKeys(bucket, workKeys(batchId).root)) {
    await pipeline.admin.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
  return nextReport(pipeline, () => pipeline.announce(upload));
}
