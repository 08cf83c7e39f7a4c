import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface PipelineAlarmsProps {
  /** Told when an alarm fires and when it recovers. */
  readonly topic: sns.ITopic;
  /**
   * Metric period.
   * @default 5 minutes: SQS publishes at 5-minute granularity when a queue is idle; shorter would flap.
   */
  readonly period?: Duration;
}

/** Alarms of the pipeline: each fires at its threshold, recovers when back below, and treats no data as OK. */
export class PipelineAlarms extends Construct {
  private readonly action: SnsAction;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    this.period = props.period ?? Duration.minutes(5);
  }

  /** `<name>DlqNotEmptyAlarm`: any message in the dead-letter queue means a batch was not fully processed. */
  whenDeadLetterQueueNotEmpty(name: string, dlq: sqs.IQueue): void {
    this.alarm(
      `${name}DlqNotEmptyAlarm`,
      `A message reached the ${name.toLowerCase()} dead-letter queue: a batch was not fully processed`,
      dlq.metricApproximateNumberOfMessagesVisible({ period: this.period, statistic: 'Maximum' }),
      1,
    );
  }

  /** `<name>ErrorsAlarm`: any failed invocation. */
  whenFunctionFails(name: string, fn: lambda.IFunction): void {
    this.alarm(
      `${name}ErrorsAlarm`,
      `The ${name.toLowerCase()} function failed`,
      fn.metricErrors({ period: this.period, statistic: 'Sum' }),
      1,
    );
  }

  /** `<name>QueueAgeAlarm`: the oldest message has waited `seconds` or more; `consequence` says what that means. */
  whenOldestMessageWaits(name: string, queue: sqs.IQueue, seconds: number, consequence: string): void {
    this.alarm(
      `${name}QueueAgeAlarm`,
      `The oldest ${name.toLowerCase()} has waited ${seconds} s or more: ${consequence}`,
      queue.metricApproximateAgeOfOldestMessage({ period: this.period, statistic: 'Maximum' }),
      seconds,
    );
  }

  /**
   * `<name>TableThrottledAlarm`: any read or write throttled. The adapter retries with backoff, so batches
   * slow down first; throttling that outlasts the retries fails the message, which SQS redelivers, and
   * after its last receive the dead-letter queue alarm follows.
   */
  whenTableThrottles(name: string, table: dynamodb.ITable): void {
    const events = (metricName: string) =>
      table.metric(metricName, { period: this.period, statistic: 'Sum' });
    this.alarm(
      `${name}TableThrottledAlarm`,
      `The ${name.toLowerCase()} table throttled reads or writes: batches slow down while they are retried`,
      new cloudwatch.MathExpression({
        // Each metric reports only when it has events; a missing one counts as none, not as missing data.
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: { reads: events('ReadThrottleEvents'), writes: events('WriteThrottleEvents') },
        label: `${name} table throttle events`,
        period: this.period,
      }),
      1,
    );
  }

  private alarm(id: string, description: string, metric: cloudwatch.IMetric, threshold: number): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
  }
}
