/**
 * The shape both SQS-fed functions share, on Powertools batch: records handled one after another (a
 * validate batch is up to five chunks, which in parallel would compete for one function's memory),
 * each record that throws reported in batchItemFailures so only it is retried, and a batch whose
 * every record failed reported the same way instead of thrown: a handled failure is not a function
 * error, so the Errors metric and its alarm keep meaning "the code crashed".
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { PipelineLogger } from './log.js';
import type { PipelineMetrics } from './ports.js';

/** A Lambda handler for an SQS event source with ReportBatchItemFailures. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Handles one record; throws to have it retried (and after maxReceiveCount, dead-lettered). */
export type RecordHandler = (record: SQSRecord) => Promise<void>;

export interface BatchHandlerDeps {
  readonly logger: PipelineLogger;
  readonly metrics?: PipelineMetrics;
}

/**
 * `recordHandlerOf` is called once per invocation, so its record handler may keep what the records of
 * one batch share (validate: the manifests it read).
 */
export function sqsBatchHandler(
  deps: BatchHandlerDeps,
  recordHandlerOf: () => RecordHandler,
): SqsBatchHandler {
  return async (event, context) => {
    deps.logger.addContext(context);
    // A processor holds the batch it works on: one per invocation keeps invocations that share a
    // process (the local runner's) apart.
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, recordHandlerOf(), processor, {
        context,
        processInParallel: false,
        throwOnFullBatchFailure: false,
      });
    } finally {
      deps.metrics?.publish();
    }
  };
}

/** ApproximateReceiveCount of a record (1 when the attribute is absent). */
export const receiveCountOf = (record: SQSRecord): number =>
  Number(record.attributes.ApproximateReceiveCount) || 1;
