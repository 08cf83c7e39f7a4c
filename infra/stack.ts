import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  CrossStackReferences,
  ReferenceStrength,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import {
  type EnvName,
  environmentOf,
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  visibilityTimeoutSeconds,
} from '../functions/pipeline/topology.js';
import type { StackConfig } from './config.js';
import { PipelineAlarms } from './constructs/pipeline-alarms.js';
import { QueueFedFunction } from './constructs/queue-fed-function.js';
import { constructId, type Scrub62323DataStack } from './data-stack.js';

const handlerEntry = (name: FunctionName): string =>
  fileURLToPath(new URL(`../functions/handlers/${name}.ts`, import.meta.url));

export interface Scrub62323StackProps extends StackProps {
  readonly config: StackConfig;
  /** The stage's data stack: buckets, keys, queues, topics, roles and policies the functions use. */
  readonly data: Scrub62323DataStack;
}

/**
 * `Scrub62323-<stage>`: the code. The three functions, their event source mappings and the alarms on the
 * pipeline and its history table: nothing here holds data, so it can be redeployed or destroyed without
 * touching what the data stack retains. Its outputs are the stage's interface (read with DescribeStacks).
 *
 * Intake bucket -> intake queue -> split -> chunk queue -> validate -> merge queue -> merge (one per
 * shard, + history table) -> reports bucket + "report ready" topic.
 */
export class Scrub62323Stack extends Stack {
  readonly functions: Record<FunctionName, NodejsFunction>;

  constructor(scope: Construct, id: string, props: Scrub62323StackProps) {
    super(scope, id, props);
    const { config, data } = props;
    // Strong references (exports + Fn::ImportValue), not cdk.json's weak default: the stage's outputs
    // re-publish data-stack values, and Fn::GetStackOutput is not accepted in Outputs (cfn-lint E6101).
    // CloudFormation then also refuses to delete the data stack while this one still uses it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    Tags.of(this).add('project', 'scrub62323');
    Tags.of(this).add('stage', config.stage);
    Tags.of(this).add('data-classification', 'phi');

    // Every variable any function reads; each function gets exactly its own (topology FUNCTION_ENV).
    const environment: Partial<Record<EnvName, string>> = {
      WORK_BUCKET: data.buckets.work.bucketName,
      REPORTS_BUCKET: data.buckets.reports.bucketName,
      CHUNK_QUEUE_URL: data.queues.chunk.queueUrl,
      // Split sends a large upload's byte ranges to its own queue.
      INTAKE_QUEUE_URL: data.queues.intake.queueUrl,
      INTAKE_MAX_RECEIVE_COUNT: String(QUEUES.intake.maxReceiveCount),
      CHUNK_MAX_RECEIVE_COUNT: String(QUEUES.chunk.maxReceiveCount),
      MERGE_QUEUE_URL: data.queues.merge.queueUrl,
      REPORT_TOPIC_ARN: data.topics.reportReady.topicArn,
      HISTORY_TABLE: data.historyTable.tableName,
      MAX_UPLOAD_BYTES: String(config.maxUploadBytes),
      // This stack: its outputs are what `scrub62323 reports get --stack` reads.
      STACK_NAME: this.stackName,
      LOG_LEVEL: config.logLevel,
    };
    const pipelineFunction = (name: FunctionName, description: string): NodejsFunction =>
      new QueueFedFunction(this, constructId(name), {
        state: data.functionStates[name],
        permissions: data.functionPolicies[name],
        entry: handlerEntry(name),
        description,
        sizing: FUNCTIONS[name],
        environment: environmentOf(name, environment),
        logLevel: config.logLevel,
      }).function;
    this.functions = {
      split: pipelineFunction('split', 'Splits an uploaded CPT 62323 claim batch into chunks'),
      validate: pipelineFunction(
        'validate',
        'Checks a chunk of CPT 62323 claims; the last chunk sends the batch to be merged',
      ),
      merge: pipelineFunction(
        'merge',
        'Merges one shard of a CPT 62323 claim batch; the last shard writes the report',
      ),
    };

    const alarms = new PipelineAlarms(this, 'Alarms', { topic: data.topics.alarm });
    alarms.whenDeadLetterQueueNotEmpty('Intake', data.queues.intakeDlq);
    alarms.whenDeadLetterQueueNotEmpty('Chunk', data.queues.chunkDlq);
    alarms.whenDeadLetterQueueNotEmpty('Merge', data.queues.mergeDlq);
    alarms.whenFunctionFails('Split', this.functions.split);
    alarms.whenFunctionFails('Validate', this.functions.validate);
    alarms.whenFunctionFails('Merge', this.functions.merge);
    // Older than the time a chunk may legitimately spend being retried: validate is not keeping up.
    alarms.whenOldestMessageWaits(
      'Chunk',
      data.queues.chunk,
      visibilityTimeoutSeconds(QUEUES.chunk, FUNCTIONS.validate) * QUEUES.chunk.maxReceiveCount,
      'validation is stuck or too slow',
    );
    alarms.whenOldestMessageWaits(
      'Merge',
      data.queues.merge,
      visibilityTimeoutSeconds(QUEUES.merge, FUNCTIONS.merge) * QUEUES.merge.maxReceiveCount,
      'merging is stuck or too slow',
    );
    alarms.whenTableThrottles('History', data.historyTable);
    if (config.expectBatchEveryHours > 0) alarms.whenNoBatchReported(config.expectBatchEveryHours);

    const outputs: Record<string, string> = {
      IntakeBucketName: data.buckets.intake.bucketName,
      ReportsBucketName: data.buckets.reports.bucketName,
      WorkBucketName: data.buckets.work.bucketName,
      HistoryTableName: data.historyTable.tableName,
      AccessLogBucketName: data.buckets.accessLogs.bucketName,
      DataKeyArn: data.keys.data.keyArn,
      IntakeQueueUrl: data.queues.intake.queueUrl,
      IntakeDlqUrl: data.queues.intakeDlq.queueUrl,
      ChunkQueueUrl: data.queues.chunk.queueUrl,
      ChunkDlqUrl: data.queues.chunkDlq.queueUrl,
      MergeQueueUrl: data.queues.merge.queueUrl,
      MergeDlqUrl: data.queues.mergeDlq.queueUrl,
      ReportReadyTopicArn: data.topics.reportReady.topicArn,
      AlarmTopicArn: data.topics.alarm.topicArn,
      BillingUploaderPolicyArn: data.peoplePolicies.billingUploader.managedPolicyArn,
      AuditorPolicyArn: data.peoplePolicies.auditor.managedPolicyArn,
      HistoryAdminPolicyArn: data.peoplePolicies.historyAdmin.managedPolicyArn,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
