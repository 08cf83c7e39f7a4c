/** Local pipelines for a test file: started with the file's defaults, all stopped after each test. */
import { afterEach } from 'vitest';
import { LocalPipeline, type LocalPipelineOptions } from '../../../functions/local/runner.js';

export function pipelineStarter(
  defaults: LocalPipelineOptions,
): (options?: LocalPipelineOptions) => Promise<LocalPipeline> {
  const started: LocalPipeline[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((pipeline) => pipeline.stop()));
  });
  return async (options = {}) => {
    const pipeline = await LocalPipeline.start({ logLevel: 'SILENT', ...defaults, ...options });
    started.push(pipeline);
    return pipeline;
  };
}
