/** A CloudFormation stack's outputs (DescribeStacks), as `scrub62323 reports --stack` reads a stage's bucket names. */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsErrorCode } from './aws-failure.js';

/** The outputs of stack `stackName` by key; undefined when there is no such stack. */
export async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<Readonly<Record<string, string>> | undefined> {
  try {
    const { Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = stacks?.[0];
    if (!stack) return undefined;
    const outputs: Record<string, string> = {};
    for (const { OutputKey: key, OutputValue: value } of stack.Outputs ?? [])
      if (key !== undefined && value !== undefined) outputs[key] = value;
    return outputs;
  } catch (error) {
    // CloudFormation answers a stack that does not exist (or was deleted) with ValidationError.
    if (awsErrorCode(error) === 'ValidationError' && /does not exist/.test((error as Error).message))
      return undefined;
    throw error;
  }
}
