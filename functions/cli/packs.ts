/** `--rules FILE` (repeatable) and `--rules-default NAME`: the packs a command loads, checked before any line is. */
import { readFile } from 'node:fs/promises';
import { describeFsError } from '../adapters/report-folder.js';
import { isScrubError } from '../core/errors.js';
import type { RuleBooks } from '../core/rules/books.js';
import { loadRuleBooks, type PackChoice, type PackText } from '../core/rules/packs/load.js';
import { UsageError } from './io.js';

/** Reads the pack files; a file that cannot be read is a UsageError naming it. */
export async function readPackChoice(
  files: readonly string[],
  defaultPack: string | undefined,
): Promise<PackChoice> {
  const packs: PackText[] = [];
  for (const file of files) {
    try {
      packs.push({ origin: file, text: await readFile(file, 'utf8') });
    } catch (error) {
      throw new UsageError(`cannot use --rules ${file}: ${describeFsError(error)}`);
    }
  }
  return { packs, ...(defaultPack === undefined ? {} : { defaultPack }) };
}

/**
 * The rule books of the packs; a pack that does not validate is refused with every problem named
 * (exit 2: nothing is checked with a refused pack).
 */
export function booksOfChoice(choice: PackChoice): RuleBooks {
  try {
    return loadRuleBooks(choice);
  } catch (error) {
    if (isScrubError(error) && error.code === 'BAD_RULE_PACK')
      throw new UsageError(`rule pack refused: ${error.message}`);
    throw error;
  }
}
