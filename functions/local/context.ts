/**
 * The Lambda context a handler gets, for the local runner and the tests: the function's name, memory
 * and timeout from topology.ts FUNCTIONS, a request id of its own for every invocation, and a clock
 * that runs down from the timeout as Lambda's does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionName } from '../pipeline/topology.js';

export interface ContextOptions {
  readonly region?: string;
  /** The invocation's request id (default: a new UUID). */
  readonly awsRequestId?: string;
  /** The execution environment's log stream (default: a new one). */
  readonly logStreamName?: string;
  /** Milliseconds clock for the remaining time (default: Date.now). */
  readonly clock?: () => number;
}

/** The name the local runner gives a function (the stack lets CloudFormation name them). */
export const localFunctionName = (fn: FunctionName): string => `scrub62323-${fn}`;

/** A log stream name as Lambda writes one: the date, the version and an instance id. */
export const newLogStreamName = (date: Date = new Date()): string =>
  `${date.toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;

const callbacksAreGone = (): never => {
  throw new Error('context.done/fail/succeed are not supported: return a promise from the handler');
};

export function lambdaContext(fn: FunctionName, options: ContextOptions = {}): Context {
  const clock = options.clock ?? Date.now;
  const deadline = clock() + FUNCTIONS[fn].timeoutSeconds * 1000;
  const functionName = localFunctionName(fn);
  const region = options.region ?? 'us-east-1';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(FUNCTIONS[fn].memoryMb),
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? newLogStreamName(),
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock()),
    done: callbacksAreGone,
    fail: callbacksAreGone,
    succeed: callbacksAreGone,
  };
}
