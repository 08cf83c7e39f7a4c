/**
 * Worker thread: one execution environment of the validate function, as Lambda would run it beside
 * the others (its own heap, its own clients), so that the local pipeline checks chunks on every core
 * instead of taking turns on the runner's one thread. The main thread receives the messages and
 * settles them; this thread only runs the handler on each batch it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SQSEvent } from 'aws-lambda';
import { s3ObjectStore } from '../adapters/s3.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import { loadValidateConfig } from '../pipeline/config.js';
import { createLogger } from '../pipeline/log.js';
import { quietMetrics } from '../pipeline/metrics.js';
import { createValidateHandler } from '../pipeline/validate.js';
import { lambdaContext, newLogStreamName } from './context.js';
import { FunctionThreadDataSchema, type ThreadReply, ThreadRequestSchema } from './function-threads.js';
import { createClients } from './resources.js';

const setup = FunctionThreadDataSchema.parse(workerData);
const clients = createClients(setup.clients);
const handler = createValidateHandler({
  config: loadValidateConfig(setup.values),
  store: s3ObjectStore(clients.s3),
  sender: sqsMessageSender(clients.sqs),
  logger: createLogger('validate', setup.logLevel),
  metrics: quietMetrics,
});
const logStreamName = newLogStreamName();

parentPort?.on('message', async (message: unknown) => {
  const parsed = ThreadRequestSchema.safeParse(message);
  // Without an id there is no one to answer: the main thread sent nothing of the kind.
  if (!parsed.success) throw new Error('a validate thread received an unreadable request');
  const request = parsed.data;
  let reply: ThreadReply;
  try {
    const context = lambdaContext('validate', { region: setup.clients.region, logStreamName });
    // The event came from the main thread's own receive: its records are the SQS records it built.
    const response = await handler(request.event as SQSEvent, context);
    reply = { id: request.id, response: response ?? null };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
