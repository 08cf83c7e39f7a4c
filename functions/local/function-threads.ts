/**
 * Execution environments of validate and merge on worker threads (function-thread.ts): the runner's
 * main thread polls the queues and settles messages as before, and hands each received batch to a
 * thread of its own. Lambda runs every invocation on its own vCPU; on one thread the local
 * pipeline's chunks and shards took turns, so its wall time said more about the runner than about
 * the pipeline. Split stays on the main thread: one invocation per upload, nothing to run beside.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttribute } from 'aws-lambda';
import { z } from 'zod';
import { ScrubError } from '../core/errors.js';
import { FUNCTIONS, type FunctionName, LOG_LEVELS } from '../pipeline/topology.js';
import type { SqsHandler } from './event-source.js';

/** The functions that run on threads. */
export const THREADED: ReadonlySet<FunctionName> = new Set(['validate', 'merge']);

export const FunctionThreadDataSchema = z.object({
  fn: z.enum(['validate', 'merge']),
  /** The functions' environment variables, as the runner sets them (each takes its own, FUNCTION_ENV). */
  values: z.record(z.string(), z.string()),
  clients: z.object({
    endpoint: z.string(),
    region: z.string(),
    dynamodbEndpoint: z.string().optional(),
  }),
  logLevel: z.union([z.enum(LOG_LEVELS), z.literal('SILENT')]),
});
export type FunctionThreadData = Omit<z.input<typeof FunctionThreadDataSchema>, 'fn'>;

/** A batch for the thread. */
export const ThreadRequestSchema = z.object({
  id: z.int(),
  /** The SQS event the main thread received, as Lambda's event source mapping hands it over. */
  event: SqsSchema,
});

const ThreadReplySchema = z.union([
  z.object({
    id: z.int(),
    response: z.object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })) }).nullable(),
  }),
  z.object({ id: z.int(), error: z.string() }),
]);
export type ThreadReply = z.infer<typeof ThreadReplySchema>;

type CheckedEvent = z.output<typeof ThreadRequestSchema>['event'];
type CheckedAttribute = CheckedEvent['Records'][number]['messageAttributes'][string];

/** The checked event as aws-lambda types it (Powertools' schema says null where it says absent). */
export function lambdaEventOf(event: CheckedEvent): SQSEvent {
  return {
    Records: event.Records.map(({ md5OfMessageAttributes, ...record }) => ({
      ...record,
      ...(md5OfMessageAttributes != null ? { md5OfMessageAttributes } : {}),
      messageAttributes: Object.fromEntries(
        Object.entries(record.messageAttributes).map(([name, value]) => [name, lambdaAttributeOf(value)]),
      ),
    })),
  };
}

function lambdaAttributeOf(attribute: CheckedAttribute): SQSMessageAttribute {
  const { dataType, stringValue, binaryValue, stringListValues, binaryListValues } = attribute;
  return {
    dataType,
    ...(stringValue != null ? { stringValue } : {}),
    ...(binaryValue != null ? { binaryValue } : {}),
    ...(stringListValues ? { stringListValues } : {}),
    ...(binaryListValues ? { binaryListValues } : {}),
  };
}

export interface ThreadedEnvironments {
  /** A new execution environment of `fn`: a thread that runs its handler on each batch it is handed. */
  readonly create: (fn: FunctionName) => SqsHandler;
  /** Ends every thread (after the pollers stopped). */
  readonly close: () => Promise<void>;
}

/** Told when a thread stops or fails (the main thread's logger: a thread that died logs nothing). */
export type ThreadFailureListener = (fn: FunctionName, problem: string) => void;

/**
 * Execution environments on threads started from `script` (dist/function-thread.js).
 * A thread that dies fails the batch it held (SQS retries it, as after a Lambda crash) and the next
 * batch starts a new one, as Lambda starts a new environment.
 */
export function threadedFunctions(
  script: URL,
  data: FunctionThreadData,
  onFailure: ThreadFailureListener = () => undefined,
): ThreadedEnvironments {
  // Checked now, as a cold start would: a bad setup fails the run before any message is received.
  const checked = FunctionThreadDataSchema.omit({ fn: true }).parse(data);
  if (script.protocol === 'file:' && !existsSync(fileURLToPath(script))) {
    throw new ScrubError(
      'FUNCTION_THREAD',
      `${fileURLToPath(script)} is missing: build it with npm run build`,
    );
  }
  const threads = new Set<Worker>();
  const start = (fn: FunctionName): Worker => {
    const thread = new Worker(script, {
      execArgv: [],
      workerData: { ...checked, fn },
      // Lambda's memory setting as the heap's ceiling: work too big for the function fails here too.
      resourceLimits: { maxOldGenerationSizeMb: FUNCTIONS[fn].memoryMb },
    });
    thread.unref();
    threads.add(thread);
    return thread;
  };
  const create = (fn: FunctionName): SqsHandler => {
    let thread: Worker | undefined;
    let nextId = 0;
    const threadOf = (): Worker => {
      if (thread) return thread;
      const started = start(fn);
      // A thread that stops between batches is replaced at the next one, never posted to. An error
      // of its own (its script failed, an uncaught exception) ends it: the batch it held, if any,
      // learns of it from 'exit'.
      started.on('error', (error) => onFailure(fn, `a ${fn} thread failed: ${error.message}`));
      started.once('exit', (code) => {
        if (threads.delete(started) && code !== 0)
          onFailure(fn, `a ${fn} thread stopped (exit code ${code})`);
        if (thread === started) thread = undefined;
      });
      thread = started;
      return started;
    };
    return (event) =>
      new Promise<SQSBatchResponse | undefined>((resolve, reject) => {
        const current = threadOf();
        const id = nextId++;
        const settle = (outcome: () => void) => {
          current.off('message', onMessage);
          current.off('messageerror', onUnreadable);
          current.off('error', onError);
          current.off('exit', onExit);
          // Idle threads do not keep the process alive; one at work does.
          current.unref();
          outcome();
        };
        const onUnreadable = () =>
          settle(() => reject(new ScrubError('FUNCTION_THREAD', `a ${fn} thread sent an unreadable reply`)));
        const onMessage = (message: unknown) => {
          const parsed = ThreadReplySchema.safeParse(message);
          if (!parsed.success) {
            onUnreadable();
            return;
          }
          const reply = parsed.data;
          if (reply.id !== id) return;
          settle(() =>
            'error' in reply ? reject(new Error(reply.error)) : resolve(reply.response ?? undefined),
          );
        };
        let failure = '';
        const onError = (error: Error) => {
          failure = `: ${error.message}`;
        };
        const onExit = (code: number) =>
          settle(() =>
            reject(new ScrubError('FUNCTION_THREAD', `a ${fn} thread stopped (exit code ${code})${failure}`)),
          );
        current.on('message', onMessage);
        current.on('messageerror', onUnreadable);
        current.on('error', onError);
        current.on('exit', onExit);
        // One batch at a time per environment (its poller waits for it): a flag, not a count.
        current.ref();
        try {
          current.postMessage({ id, event });
        } catch (error) {
          settle(() => reject(error));
        }
      });
  };
  const close = async () => {
    const running = [...threads];
    threads.clear();
    await Promise.all(running.map((thread) => thread.terminate()));
  };
  return { create, close };
}
