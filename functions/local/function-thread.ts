/**
 * Worker thread: one execution environment of validate or merge, as Lambda would run it beside the
 * others (its own heap, its own clients), so that the local pipeline works on every core instead of
 * taking turns on the runner's one thread. The main thread receives the messages and settles them;
 * this thread only runs the handler on each batch it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../pipeline/log.js';
import { quietMetrics } from '../pipeline/metrics.js';
import { lambdaContext, newLogStreamName } from './context.js';
import {
  FunctionThreadDataSchema,
  lambdaEventOf,
  type ThreadReply,
  ThreadRequestSchema,
} from './function-threads.js';
import { handlerOf, loadFunctionConfigs, plainStore } from './function-wiring.js';
import { createClients } from './resources.js';

const setup = FunctionThreadDataSchema.parse(workerData);
const clients = createClients(setup.clients);
const handler = handlerOf(setup.fn, {
  configs: loadFunctionConfigs(setup.values),
  clients,
  store: plainStore(clients),
  logger: (fn) => createLogger(fn, setup.logLevel),
  metrics: () => quietMetrics,
});
const logStreamName = newLogStreamName();

parentPort?.on('message', async (message: unknown) => {
  const parsed = ThreadRequestSchema.safeParse(message);
  // Without an id there is no one to answer: the main thread sent nothing of the kind.
  if (!parsed.success) throw new Error(`a ${setup.fn} thread received an unreadable request`);
  const request = parsed.data;
  let reply: ThreadReply;
  try {
    const context = lambdaContext(setup.fn, { region: setup.clients.region, logStreamName });
    const response = await handler(lambdaEventOf(request.event), context);
    reply = { id: request.id, response: response ?? null };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
