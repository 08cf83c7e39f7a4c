/**
 * The AWS options commands share (--endpoint, --region, --profile), checked the same way everywhere,
 * and how a command that talks to AWS puts its failure on stderr.
 */
import { isScrubError } from '../core/errors.js';
import { type CommandIo, EXIT, UsageError } from './io.js';

/** parseArgs options of the AWS target. */
export const AWS_TARGET_OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const;

/** An --endpoint value, checked: an http(s) URL. */
export function checkEndpoint(endpoint: string | undefined): string | undefined {
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint))
    throw new UsageError(`--endpoint "${endpoint}" is not an http(s) URL`);
  return endpoint;
}

/** A --region value, checked: an AWS region name. */
export function checkRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(region))
    throw new UsageError(`--region "${region}" is not an AWS region name (e.g. us-east-1)`);
  return region;
}

/** A --profile value, checked: a profile name of the AWS config. */
export function checkProfile(profile: string | undefined): string | undefined {
  if (profile !== undefined && !/^[A-Za-z0-9_.@+-]{1,128}$/.test(profile))
    throw new UsageError(`--profile "${profile}" is not a profile name of the AWS config`);
  return profile;
}

const isArgumentError = (error: unknown): boolean =>
  (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') ?? false;

/**
 * Prints a command's failure as one line and returns its exit code: a usage error (ours or Node's
 * argument parser's) exits 2, any other ScrubError `failureExit`. Anything else is a bug: thrown on.
 */
export function commandFailure(error: unknown, io: CommandIo, command: string, failureExit: number): number {
  const usage = error instanceof UsageError || isArgumentError(error);
  if (!usage && !isScrubError(error)) throw error;
  // Node's argument errors run to two sentences; the first one says it.
  const message =
    usage && !(error instanceof UsageError)
      ? `${(error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '')} (see scrub62323 ${command} --help)`
      : (error as Error).message;
  io.stderr(`scrub62323: ${message}\n`);
  return usage ? EXIT.usage : failureExit;
}
