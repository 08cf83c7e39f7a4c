/**
 * Structured JSON logs (Powertools Logger). Pipeline logs carry batch ids, chunk numbers and counts —
 * never claim data: no member ids, names, dates of birth or raw records. Error messages are logged
 * only when they cannot hold claim data (AWS service errors and our own ScrubErrors), otherwise just
 * the name.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { isScrubError, ScrubError } from '../core/errors.js';
import type { LogLevel } from './config.js';
import type { FunctionName } from './topology.js';

/** What the pipeline uses of a logger (so tests may pass a recorder). */
export interface PipelineLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
  /**
   * Tags the lines that follow with this invocation (request id, function name, cold start). A logger
   * serves one execution environment, which runs one invocation at a time.
   */
  addContext(context: Context): void;
}

export function createLogger(fn: FunctionName, level: LogLevel | 'SILENT'): PipelineLogger {
  const logger = new Logger({ serviceName: 'scrub62323', logLevel: level, persistentKeys: { function: fn } });
  return {
    debug: (message, attributes = {}) => logger.debug({ message, ...attributes }),
    info: (message, attributes = {}) => logger.info({ message, ...attributes }),
    warn: (message, attributes = {}) => logger.warn({ message, ...attributes }),
    error: (message, attributes = {}) => logger.error({ message, ...attributes }),
    addContext: (context) => logger.addContext(context),
  };
}

/** A pipeline step that cannot go on (a work file missing or unreadable, a lock never free…). */
export class PipelineError extends ScrubError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'PipelineError';
  }
}

/** Loggable facts about an error, safe for PHI. */
export function errorFacts(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const facts: Record<string, unknown> = { errorName: error.name };
  if (isScrubError(error)) {
    facts.errorCode = error.code;
    facts.errorMessage = error.message;
  } else if (status !== undefined) {
    // AWS SDK service errors: the message comes from the service, about the request, not the data.
    facts.errorStatus = status;
    facts.errorMessage = error.message;
  }
  // Stack frames name our code, not data. Only frame lines are kept: the message before them may span
  // several lines, and a message we did not write may quote data.
  const frames = error.stack
    ?.split('\n')
    .filter((line) => /^\s*at /.test(line))
    .slice(0, 5)
    .map((frame) => frame.trim());
  if (frames && frames.length > 0) facts.errorStack = frames;
  return facts;
}
