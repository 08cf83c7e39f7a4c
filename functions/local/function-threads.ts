/**
 * Validate's execution environments on worker threads (function-thread.ts): the runner's main thread
 * polls the chunk queue and settles messages as before, and hands each received batch to a thread of
 * its own. Lambda runs every invocation on its own vCPU; on one thread the local pipeline's chunks
 * took turns, so its wall time said more about the runner than about the pipeline.
 */
import { Worker } from 'node:worker_threads';
import type { SQSBatchResponse } from 'aws-lambda';
import { z } from 'zod';
import { ScrubError } from '../core/errors.js';
import { FUNCTIONS, LOG_LEVELS } from '../pipeline/topology.js';
import type { SqsHandler } from './event-source.js';

export const FunctionThreadDataSchema = z.object({
  /** Validate's environment variables (FUNCTION_ENV), as the main thread picked them. */
  values: z.record(z.string(), z.string()),
  clients: z.object({
    endpoint: z.string(),
    region: z.string(),
    dynamodbEndpoint: z.string().optional(),
  }),
  logLevel: z.union([z.enum(LOG_LEVELS), z.literal('SILENT')]),
});
export type FunctionThreadData = z.input<typeof FunctionThreadDataSchema>;

/** A batch for the thread: the SQS event, checked by the handler's own record parsing. */
export const ThreadRequestSchema = z.object({
  id: z.int(),
  event: z.object({ Records: z.array(z.unknown()) }),
});

const ThreadReplySchema = z.union([
  z.object({
    id: z.int(),
    response: z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) }).nullable(),
  }),
  z.object({ id: z.int(), error: z.string() }),
]);
export type ThreadReply = z.infer<typeof ThreadReplySchema>;

export interface ThreadedEnvironments {
  /** A new execution environment: a thread that runs the handler on each batch it is handed. */
  readonly create: () => SqsHandler;
  /** Ends every thread (after the pollers stopped). */
  readonly close: () => Promise<void>;
}

/**
 * Execution environments of validate on threads started from `script` (dist/function-thread.js).
 * A thread that dies fails the batch it held (SQS retries it, as after a Lambda crash) and the next
 * batch starts a new one, as Lambda starts a new environment.
 */
export function threadedValidate(script: URL, data: FunctionThreadData): ThreadedEnvironments {
  const workerData = FunctionThreadDataSchema.parse(data);
  const threads = new Set<Worker>();
  const start = (): Worker => {
    const thread = new Worker(script, {
      execArgv: [],
      workerData,
      // Lambda's memory setting as the heap's ceiling: a chunk too big for the function fails here too.
      resourceLimits: { maxOldGenerationSizeMb: FUNCTIONS.validate.memoryMb },
    });
    thread.unref();
    threads.add(thread);
    return thread;
  };
  const create = (): SqsHandler => {
    let thread: Worker | undefined;
    let nextId = 0;
    return (event) =>
      new Promise<SQSBatchResponse | undefined>((resolve, reject) => {
        const current = thread ?? start();
        thread = current;
        const id = nextId++;
        const settle = (outcome: () => void) => {
          current.off('message', onMessage);
          current.off('exit', onExit);
          outcome();
        };
        const onMessage = (message: unknown) => {
          const parsed = ThreadReplySchema.safeParse(message);
          if (!parsed.success) {
            settle(() =>
              reject(new ScrubError('FUNCTION_THREAD', 'a validate thread sent an unreadable reply')),
            );
            return;
          }
          const reply = parsed.data;
          if (reply.id !== id) return;
          settle(() =>
            'error' in reply ? reject(new Error(reply.error)) : resolve(reply.response ?? undefined),
          );
        };
        const onExit = (code: number) => {
          threads.delete(current);
          if (thread === current) thread = undefined;
          settle(() =>
            reject(new ScrubError('FUNCTION_THREAD', `a validate thread stopped (exit code ${code})`)),
          );
        };
        current.on('message', onMessage);
        current.on('exit', onExit);
        current.postMessage({ id, event });
      });
  };
  const close = async () => {
    const running = [...threads];
    threads.clear();
    await Promise.all(running.map((thread) => thread.terminate()));
  };
  return { create, close };
}
