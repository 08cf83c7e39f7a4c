import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../functions/pipeline/topology.js';

export interface PipelineAlarmsProps {
  /** Told when an alarm fires and when it recovers. */
  readonly topic: sns.ITopic;
  /**
   * Metric period.
   * @default 5 minutes: SQS publishes at 5-minute granularity when a queue is idle; shorter would flap.
   */
  readonly period?: Duration;
}

/**
 * Alarms of the pipeline: each fires at its threshold and recovers when back below. They treat no data
 * as OK, but for the missing-batch alarm, for which no data is the very thing to report.
 */
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

  /**
   * `NoBatchReportedAlarm`: no report (complete, rejected or incomplete) was written for `hours` hours,
   * from the BatchesReported metric merge counts per report. Hourly sums (CloudWatch allows 7 days
   * of evaluation for periods of an hour or more, one day below that), every one of the last `hours`
   * below 1. No data is breaching: a stage that stopped receiving uploads writes no metric at all.
   */
  whenNoBatchReported(hours: number): void {
    const hour = Duration.hours(1);
    const reported = (status: string) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.names.batchesReported,
        dimensionsMap: { [METRICS.serviceDimension]: METRICS.service, [METRICS.statusDimension]: status },
        statistic: 'Sum',
        period: hour,
      });
    const statuses = METRICS.batchStatuses;
    this.alarm(
      'NoBatchReportedAlarm',
      `No batch report was written for ${hours} hours: an upload is missing, or its batch is stuck before its report`,
      new cloudwatch.MathExpression({
        // One status reports in an hour where the others do not: each missing one counts as none.
        expression: statuses.map((status) => `FILL(${status}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(statuses.map((status) => [status, reported(status)])),
        label: 'Batches reported',
        period: hour,
      }),
      1,
      {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
  }

  private alarm(
    id: string,
    description: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    evaluation: Partial<
      Pick<
        cloudwatch.AlarmProps,
        'comparisonOperator' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'
      >
    > = {},
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...evaluation,
      evaluationPeriods: evaluation.evaluationPeriods ?? 1,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
  }
}
