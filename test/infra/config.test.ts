import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS, DEFAULT_REPORT_RETENTION_DAYS } from '../../functions/pipeline/topology.js';
import { readConfig } from '../../infra/config.js';
import type { Scrub62323DataStack } from '../../infra/data-stack.js';
import type { Scrub62323Stack } from '../../infra/stack.js';
import { logicalId, removeOutdirs, resource, SYNTH_TIMEOUT_MS, synth, tempOutdir } from './helpers.js';

const configOf = (context: Record<string, unknown>) =>
  readConfig(new App({ context, outdir: tempOutdir() }).node);

afterAll(removeOutdirs);

describe('readConfig', () => {
  it('defaults: stage dev, DEFAULT_REPORT_RETENTION_DAYS, INFO, no email', () => {
    expect(configOf({})).toEqual({
      stage: 'dev',
      reportRetentionDays: DEFAULT_REPORT_RETENTION_DAYS,
      logLevel: 'INFO',
      maxUploadBytes: 2 * 1024 ** 3,
      expectBatchEveryHours: 26,
    });
  });

  it('accepts values as `-c name=value` passes them (strings)', () => {
    expect(
      configOf({
        stage: 'prod',
        reportRetentionDays: '2555',
        logLevel: 'debug',
        alertEmail: 'ops@example.org',
        reportEmail: 'billing@example.org',
        maxUploadBytes: '1048576',
        expectBatchEveryHours: '50',
      }),
    ).toEqual({
      stage: 'prod',
      reportRetentionDays: 2555,
      logLevel: 'DEBUG',
      maxUploadBytes: 1_048_576,
      expectBatchEveryHours: 50,
      alertEmail: 'ops@example.org',
      reportEmail: 'billing@example.org',
    });
  });

  it('reads terminationProtection as `-c` (string) or cdk.json (boolean) passes it', () => {
    expect(configOf({ terminationProtection: 'true' }).terminationProtection).toBe(true);
    expect(configOf({ terminationProtection: false }).terminationProtection).toBe(false);
    expect(configOf({})).not.toHaveProperty('terminationProtection');
  });

  it.each([
    [{ terminationProtection: 'yes' }, /terminationProtection/],
    [{ stage: 'Prod' }, /stage/],
    [{ stage: 'a-stage-name-too-long' }, /stage/],
    [{ reportRetentionDays: '0' }, /reportRetentionDays/],
    [{ reportRetentionDays: '6.5' }, /reportRetentionDays/],
    [{ reportRetentionDays: 'forever' }, /reportRetentionDays/],
    [{ alertEmail: 'not-an-address' }, /alertEmail/],
    [{ reportEmail: 42 }, /reportEmail/],
    [{ logLevel: 'LOUD' }, /logLevel/],
    [
      { maxUploadBytes: '0' },
      /context "maxUploadBytes" must be a whole number from 1 to 5497558138880 \(got "0"\)/,
    ],
    [{ maxUploadBytes: '2GB' }, /maxUploadBytes/],
    [
      { expectBatchEveryHours: '169' },
      /context "expectBatchEveryHours" must be a whole number from 0 to 168/,
    ],
    [{ expectBatchEveryHours: '-1' }, /expectBatchEveryHours/],
    [{ expectBatchEveryHours: '1.5' }, /expectBatchEveryHours/],
    [{ expectBatchEveryHours: 'daily' }, /expectBatchEveryHours/],
  ])('rejects %o', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });
});

describe('expectBatchEveryHours=0', () => {
  it(
    'leaves the missing-batch alarm out, and only it',
    () => {
      const { template } = synth({ expectBatchEveryHours: '0' });
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(9);
      expect(JSON.stringify(alarms)).not.toContain('BatchesReported');
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('stack with context values', () => {
  let stack: Scrub62323Stack;
  let dataStack: Scrub62323DataStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, dataStack, template } = synth({
      stage: 'prod',
      alertEmail: 'ops@example.org',
      reportEmail: 'billing@example.org',
      reportRetentionDays: '2555',
      logLevel: 'debug',
      terminationProtection: 'true',
      maxUploadBytes: '1048576',
      expectBatchEveryHours: '50',
    }));
  }, SYNTH_TIMEOUT_MS);

  const id = (construct: Parameters<typeof logicalId>[1]) => logicalId(Stack.of(construct), construct);

  it('is named after the stage, and so are its buckets and people policies', () => {
    expect(stack.stackName).toBe('Scrub62323-prod');
    expect(JSON.stringify(resource(template, id(dataStack.buckets.reports)).Properties.BucketName)).toContain(
      `"${BUCKETS.reports}-prod-"`,
    );
    expect(resource(template, id(dataStack.peoplePolicies.auditor)).Properties.ManagedPolicyName).toBe(
      'scrub62323-prod-auditor',
    );
  });

  it('keeps reports, uploads and access logs reportRetentionDays', () => {
    for (const bucket of [
      dataStack.buckets.reports,
      dataStack.buckets.intake,
      dataStack.buckets.accessLogs,
    ]) {
      const rules = (
        resource(template, id(bucket)).Properties.LifecycleConfiguration as {
          Rules: { ExpirationInDays: number }[];
        }
      ).Rules;
      expect(rules.map((r) => r.ExpirationInDays)).toEqual([2555]);
    }
  });

  it('subscribes alertEmail to the alarm topic and reportEmail to the report topic', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: id(dataStack.topics.alarm) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'billing@example.org',
      TopicArn: { Ref: id(dataStack.topics.reportReady) },
    });
  });

  it('protects the data stack from deletion when terminationProtection is set, never the stateless one', () => {
    expect(dataStack.stackName).toBe('Scrub62323-prod-data');
    expect(dataStack.terminationProtection).toBe(true);
    expect(stack.terminationProtection).toBe(false);
  });

  it('gives split maxUploadBytes, merge the stack name, and the missing-batch alarm its window', () => {
    const variables = (fn: Parameters<typeof id>[0]) =>
      (resource(template, id(fn)).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables(stack.functions.split).MAX_UPLOAD_BYTES).toBe('1048576');
    expect(variables(stack.functions.merge).STACK_NAME).toBe('Scrub62323-prod');
    // Only merge writes the report the notice names, so only merge gets the stack name.
    expect(variables(stack.functions.validate)).not.toHaveProperty('STACK_NAME');
    expect(variables(stack.functions.split)).not.toHaveProperty('STACK_NAME');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 50,
      DatapointsToAlarm: 50,
      TreatMissingData: 'breaching',
    });
  });

  it('passes logLevel to the functions and to Lambda log filtering', () => {
    for (const fn of Object.values(stack.functions)) {
      const props = resource(template, id(fn)).Properties;
      expect(props.Environment).toMatchObject({ Variables: { LOG_LEVEL: 'DEBUG' } });
      expect(props.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'DEBUG' });
    }
  });
});
