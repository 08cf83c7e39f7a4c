/** The `scrub62323` command line: a thin adapter that dispatches to a command and maps errors to exit codes. */

import { runCheckCommand } from './commands/check.js';
import { type CommandIo, EXIT, UsageError } from './io.js';

const HELP = `scrub62323 — a claim scrubber for CPT 62323 (lumbar/sacral interlaminar epidural with imaging guidance)

Usage:
  scrub62323 check <batch.csv> [--out DIR] [--as-of YYYY-MM-DD] [--fail-on error|warning] [--rules FILE ...]
                   [--rules-default NAME] [--history FILE [--record]] [--workers N]
  scrub62323 pipeline <batch.csv> [--out DIR] [--as-of YYYY-MM-DD] [--history FILE] [--fresh-history]
                   [--rules FILE ...] [--rules-default NAME] [--chunk-lines N] [--endpoint URL]
  scrub62323 history import <file.csv> [--fresh-history] [--endpoint URL | --table NAME [--region R] [--profile P]]
  scrub62323 history export [--out FILE] [--endpoint URL | --table NAME [--region R] [--profile P]]
  scrub62323 reports list|status [--since YYYY-MM-DD] [--status S] [--json] (--stack NAME | --endpoint URL)
  scrub62323 reports get|open <batchId> [--to DIR] (--stack NAME | --endpoint URL)
  scrub62323 reports url <batchId> [--expires 1h] (--stack NAME | --endpoint URL)
                   with a stack: [--region R] [--profile P]
  scrub62323 rules [--rules FILE ...]
  scrub62323 explain <RULE_ID>
  scrub62323 <command> --help

check     scrub a local file in this process and write the report folder
pipeline  run the serverless pipeline (S3 → split → SQS → validate → S3) on a local emulator or an endpoint;
          the member history stays in ./.scrub62323/ between runs
history   move member history between a CSV file and the history store (embedded, an endpoint, or AWS)
reports   the reports of a deployed stage (--stack Scrub62323-<stage>) or an endpoint: list them, see
          how your uploads went (status), download one (get, open) or share links to it (url)
rules     list the active rule catalog (built-in rule set and rule packs)
explain   a rule's trigger, fix and sources
`;

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await runCheckCommand(rest, io, { workerUrl: new URL('./worker.js', import.meta.url) });
      case 'rules': {
        const { runRulesCommand } = await import('./commands/rules.js');
        return await runRulesCommand(rest, io);
      }
      case 'explain': {
        const { runExplainCommand } = await import('./commands/rules.js');
        return await runExplainCommand(rest, io);
      }
      case 'pipeline': {
        const { runPipelineCommand } = await import('./commands/pipeline.js');
        return await runPipelineCommand(rest, io, {
          functionThreads: new URL('./function-thread.js', import.meta.url),
        });
      }
      case 'history': {
        const { runHistoryCommand } = await import('./commands/history.js');
        return await runHistoryCommand(rest, io);
      }
      case 'reports': {
        const { runReportsCommand } = await import('./commands/reports.js');
        return await runReportsCommand(rest, io);
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(HELP);
        return command === undefined ? EXIT.usage : EXIT.processed;
      default:
        throw new UsageError(`unknown command "${command}" (try scrub62323 --help)`);
    }
  } catch (error) {
    const argumentError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false;
    // Node's argument errors run to two sentences; the first one says it.
    const message = argumentError
      ? `${(error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '')} (see scrub62323 ${command} --help)`
      : (error as Error).message;
    const known = error instanceof UsageError || argumentError;
    io.stderr(`scrub62323: ${message}${known ? '' : ' (unexpected error; no report was written)'}\n`);
    return EXIT.usage;
  }
}
