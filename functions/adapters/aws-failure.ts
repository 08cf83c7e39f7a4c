/**
 * AWS failures put in one sentence for people (`scrub62323 history`, `scrub62323 reports`): which of the
 * usual causes it is — no credentials, expired ones, refused, no region, no answer — naming where, and
 * never quoting an AWS message (those may quote values).
 */

/** An error's code or AWS error name, never its message. */
export function awsErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' && e.name !== 'Error' ? e.name : undefined;
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);
const REFUSED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'TimeoutError',
]);

export type AwsFailureKind = 'no-credentials' | 'expired' | 'refused' | 'no-region' | 'unreachable' | 'other';

export function awsFailureKind(error: unknown): AwsFailureKind {
  const code = awsErrorCode(error) ?? '';
  if (code === 'CredentialsProviderError') return 'no-credentials';
  if (EXPIRED.has(code)) return 'expired';
  if (REFUSED.has(code)) return 'refused';
  if (/region is missing/i.test((error as Error | null)?.message ?? '')) return 'no-region';
  if (UNREACHABLE.has(code)) return 'unreachable';
  return 'other';
}

/** The sentence for an AWS failure while `doing` something to `where` (e.g. "cannot read", "the history table T"). */
export function awsFailureSentence(error: unknown, where: string, doing = 'cannot use'): string {
  const code = awsErrorCode(error) ?? '';
  switch (awsFailureKind(error)) {
    case 'no-credentials':
      return `no AWS credentials were found for ${where} (check --profile or AWS_PROFILE, or sign in, e.g. aws sso login)`;
    case 'expired':
      return `your AWS credentials have expired (${code}): sign in again (e.g. aws sso login) to reach ${where}`;
    case 'refused':
      return `AWS refused access to ${where} (${code})`;
    case 'no-region':
      return `no AWS region for ${where}: give --region or set AWS_REGION`;
    case 'unreachable':
      return `${doing} ${where}: no answer (${code})`;
    default:
      return `${doing} ${where} (${code || 'unexpected error'})`;
  }
}
