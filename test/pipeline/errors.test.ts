/** The one error family: every error raised on purpose is a ScrubError, named, coded, and logged with both. */
import { describe, expect, it } from 'vitest';
import { SpillFolderError } from '../../functions/adapters/spill-files.js';
import { SendFailedError } from '../../functions/adapters/sqs.js';
import { UsageError } from '../../functions/cli/io.js';
import { isScrubError, ScrubError } from '../../functions/core/errors.js';
import { PipelineRunError } from '../../functions/local/runner.js';
import { ConfigError } from '../../functions/pipeline/config.js';
import { errorFacts, PipelineError } from '../../functions/pipeline/log.js';
import { UnreadableMessageError } from '../../functions/pipeline/s3-event.js';

const family: [Error, string, string][] = [
  [
    new PipelineError('BAD_WORK_FILE', 'work/b/manifest.json: chunks: missing'),
    'PipelineError',
    'BAD_WORK_FILE',
  ],
  [new ConfigError('split', ['WORK_BUCKET is not set']), 'ConfigError', 'CONFIG_INVALID'],
  [new UnreadableMessageError('the body is not JSON'), 'UnreadableMessageError', 'UNREADABLE_MESSAGE'],
  [new UsageError('--as-of "x" is not a real date in YYYY-MM-DD'), 'UsageError', 'USAGE'],
  [
    new SpillFolderError('cannot use the temporary folder /tmp (no room)'),
    'SpillFolderError',
    'SPILL_FOLDER',
  ],
  [new SendFailedError(2, ['InvalidMessageContents']), 'SendFailedError', 'SQS_SEND_FAILED'],
  [new PipelineRunError('the pipeline stalled'), 'PipelineRunError', 'PIPELINE_RUN'],
];

describe('error family', () => {
  it.each(family)('%s is a ScrubError with its own name and code', (error, name, code) => {
    expect(error).toBeInstanceOf(ScrubError);
    expect(isScrubError(error)).toBe(true);
    expect(error.name).toBe(name);
    expect((error as ScrubError).code).toBe(code);
  });

  it.each(family)('%s reaches the log with its code and message, not just a name', (error, name, code) => {
    expect(errorFacts(error)).toMatchObject({
      errorName: name,
      errorCode: code,
      errorMessage: error.message,
    });
  });

  it('logs only the name of an error that may quote data', () => {
    const facts = errorFacts(new SyntaxError('Unexpected token J in "Jane Doe"'));
    expect(facts).toMatchObject({ errorName: 'SyntaxError' });
    expect(JSON.stringify(facts)).not.toMatch(/Jane/);
  });
});
