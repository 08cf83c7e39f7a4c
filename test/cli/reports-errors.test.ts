/**
 * `scrub62323 reports` when AWS says no: each failure is one line on stderr, exit 2, no stack trace and
 * no AWS message. The answers are mocked (aws-sdk-client-mock), except "no credentials", which is the
 * SDK's own credential chain finding none.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runReportsCommand } from '../../functions/cli/commands/reports.js';
import type { CommandIo } from '../../functions/cli/io.js';

const BATCH = '2026-11-28-nightly-batch-3f9c2a1b7e';
const ENDPOINT = 'http://127.0.0.1:9';

async function reports(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
  const code = await runReportsCommand(args, io, { cwd: tmpdir() });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const s3Error = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: `${name}: secret detail`,
  });

describe('AWS refusals', () => {
  const s3 = mockClient(S3Client);
  const cloudformation = mockClient(CloudFormationClient);
  afterEach(() => {
    s3.reset();
    cloudformation.reset();
  });
  afterAll(() => {
    s3.restore();
    cloudformation.restore();
  });

  it.each([
    [
      'AccessDenied',
      403,
      `AWS refused access to the reports bucket scrub62323-reports at ${ENDPOINT} (AccessDenied)`,
    ],
    [
      'ExpiredToken',
      400,
      `your AWS credentials have expired (ExpiredToken): sign in again (e.g. aws sso login) to reach the reports bucket scrub62323-reports at ${ENDPOINT}`,
    ],
    [
      'InternalError',
      500,
      `cannot read the reports bucket scrub62323-reports at ${ENDPOINT} (InternalError)`,
    ],
  ])('puts S3 %s in one line', async (name, status, sentence) => {
    s3.on(GetObjectCommand).rejects(s3Error(name, status));
    s3.on(ListObjectsV2Command).rejects(s3Error(name, status));
    for (const args of [['get', BATCH], ['url', BATCH], ['list']]) {
      const { code, stdout, stderr } = await reports([...args, '--endpoint', ENDPOINT]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(`scrub62323: ${sentence}\n`);
    }
  });

  it('names a bucket that is not there', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    const { code, stderr } = await reports(['get', BATCH, '--endpoint', ENDPOINT]);
    expect(code).toBe(2);
    expect(stderr).toBe(`scrub62323: the reports bucket scrub62323-reports at ${ENDPOINT} does not exist\n`);
  });

  it.each([
    [
      'ExpiredTokenException',
      'your AWS credentials have expired (ExpiredTokenException): sign in again (e.g. aws sso login) to reach the stack Scrub62323-prod (eu-west-1)',
    ],
    ['AccessDenied', 'AWS refused access to the stack Scrub62323-prod (eu-west-1) (AccessDenied)'],
  ])('puts CloudFormation %s in one line', async (name, sentence) => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(new CloudFormationServiceException({ name, $fault: 'client', $metadata: {}, message: name }));
    const { code, stderr } = await reports(['list', '--stack', 'Scrub62323-prod', '--region', 'eu-west-1']);
    expect(code).toBe(2);
    expect(stderr).toBe(`scrub62323: ${sentence}\n`);
  });

  it('puts credentials the chain could not provide in one line', async () => {
    const failure = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    cloudformation.on(DescribeStacksCommand).rejects(failure);
    const { code, stderr } = await reports(['status', '--stack', 'Scrub62323-prod', '--region', 'eu-west-1']);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'scrub62323: no AWS credentials were found for the stack Scrub62323-prod (eu-west-1) (check --profile or AWS_PROFILE, or sign in, e.g. aws sso login)\n',
    );
  });
});

describe('no credentials at all (the real credential chain)', () => {
  let folder: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'scrub62323-reports-nocreds-'));
    await writeFile(join(folder, 'config'), '');
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    process.env.AWS_CONFIG_FILE = join(folder, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(folder, 'config');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterAll(async () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await rm(folder, { recursive: true, force: true });
  });

  it('says which profile gave none, in one line', async () => {
    const { code, stderr } = await reports([
      'list',
      '--stack',
      'Scrub62323-prod',
      '--region',
      'us-east-1',
      '--profile',
      'auditor',
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'scrub62323: no AWS credentials were found for the stack Scrub62323-prod (us-east-1) (check --profile or AWS_PROFILE, or sign in, e.g. aws sso login)\n',
    );
  });
});
