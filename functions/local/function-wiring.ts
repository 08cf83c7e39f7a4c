/**
 * How each function's handler is wired to its adapters on this machine: one statement, used by the
 * runner's own thread and by the function threads (function-thread.ts), so the two cannot differ.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoHistoryStore } from '../adapters/dynamo-history.js';
import { s3ObjectStore } from '../adapters/s3.js';
import { snsNotifier } from '../adapters/sns.js';
import { openFileSpill } from '../adapters/spill-files.js';
import { sqsMessageSender } from '../adapters/sqs.js';
import {
  loadMergeConfig,
  loadSplitConfig,
  loadValidateConfig,
  type MergeConfig,
  type SplitConfig,
  type ValidateConfig,
} from '../pipeline/config.js';
import type { PipelineLogger } from '../pipeline/log.js';
import type { ObjectStore, PipelineMetrics } from '../pipeline/ports.js';
import { createMergeHandler } from '../pipeline/shard-merge.js';
import { createSplitHandler } from '../pipeline/split.js';
import type { SqsBatchHandler } from '../pipeline/sqs-batch.js';
import { type EnvName, environmentOf, type FunctionName } from '../pipeline/topology.js';
import { createValidateHandler } from '../pipeline/validate.js';
import type { AwsClients } from './resources.js';

export interface FunctionConfigs {
  readonly split: SplitConfig;
  readonly validate: ValidateConfig;
  readonly merge: MergeConfig;
}

/** Every function's configuration from the values of its variables, checked as at a cold start. */
export function loadFunctionConfigs(values: Partial<Record<EnvName, string>>): FunctionConfigs {
  return {
    split: loadSplitConfig(environmentOf('split', values)),
    validate: loadValidateConfig(environmentOf('validate', values)),
    merge: loadMergeConfig(environmentOf('merge', values)),
  };
}

export interface FunctionWiring {
  readonly configs: FunctionConfigs;
  readonly clients: AwsClients;
  readonly store: (fn: FunctionName) => ObjectStore;
  readonly logger: (fn: FunctionName) => PipelineLogger;
  readonly metrics: (fn: FunctionName) => PipelineMetrics;
  readonly now?: () => Date;
}

/** A new handler of `fn`: one execution environment's. */
export function handlerOf(fn: FunctionName, wiring: FunctionWiring): SqsBatchHandler {
  const { configs, clients } = wiring;
  const now = wiring.now ? { now: wiring.now } : {};
  switch (fn) {
    case 'split':
      return createSplitHandler({
        config: configs.split,
        store: wiring.store('split'),
        sender: sqsMessageSender(clients.sqs),
        logger: wiring.logger('split'),
        ...now,
      });
    case 'validate':
      return createValidateHandler({
        config: configs.validate,
        store: wiring.store('validate'),
        sender: sqsMessageSender(clients.sqs),
        logger: wiring.logger('validate'),
        metrics: wiring.metrics('validate'),
        ...now,
      });
    case 'merge': {
      const { historyTable } = configs.merge;
      // As handlers/merge.ts wires it: a store on the table HISTORY_TABLE names, when it names one.
      const history = historyTable
        ? dynamoHistoryStore(DynamoDBDocumentClient.from(clients.dynamodb), { tableName: historyTable })
        : undefined;
      return createMergeHandler({
        config: configs.merge,
        store: wiring.store('merge'),
        sender: sqsMessageSender(clients.sqs),
        ...(history ? { history } : {}),
        notifier: snsNotifier(clients.sns),
        logger: wiring.logger('merge'),
        metrics: wiring.metrics('merge'),
        openSpill: () => openFileSpill(1),
        ...now,
      });
    }
  }
}

/** The plain object store a function gets (the runner may wrap it for a test). */
export const plainStore = (clients: AwsClients) => (): ObjectStore => s3ObjectStore(clients.s3);
