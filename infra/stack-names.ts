/**
 * The stack names of a stage. `Scrub62323-<stage>` carries the stage's outputs (bucket names, policy ARNs),
 * which `scrub62323 reports --stack` reads with DescribeStacks; the people policies grant exactly that.
 */
export const stageStackName = (stage: string): string => `Scrub62323-${stage}`;
export const dataStackName = (stage: string): string => `Scrub62323-${stage}-data`;
