import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ScrubError } from '../core/errors.js';
import { asOfDayOf } from '../core/scrub.js';

/** What a command needs of the outside world: two text streams. Tests pass their own. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal (progress is shown only then). */
  readonly interactive?: boolean;
}

export const EXIT = { processed: 0, findings: 1, rejected: 2, usage: 2 } as const;

/** A user error: printed as one sentence, never as a stack trace. */
export class UsageError extends ScrubError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** The `--as-of` value of any command, checked once: a real YYYY-MM-DD date or a UsageError. */
export function requireAsOf(asOf: string): string {
  try {
    asOfDayOf(asOf);
  } catch {
    throw new UsageError(`--as-of "${asOf}" is not a real date in YYYY-MM-DD`);
  }
  return asOf;
}

/**
 * node:util parseArgs, and an option that takes one value given twice is refused: parseArgs keeps
 * the last, so `--rules-default a --rules-default b` would judge by b without a word.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T) {
  const parsed = parseArgs<T & { tokens: true }>({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || config.options?.[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given twice; give it once`);
    seen.add(token.name);
  }
  return parsed;
}
