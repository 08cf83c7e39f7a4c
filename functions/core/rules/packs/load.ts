/**
 * From pack files to a batch's rule books: every pack parsed and validated, the set checked (names,
 * payers, the default), then resolved. Pack texts are what crosses process boundaries (a worker
 * thread, a pipeline manifest); each side loads its own books from the same texts.
 */
import { z } from 'zod';
import { BUILT_IN_BOOKS, BUILT_IN_IDENTITY, RuleBooks } from '../books.js';
import { type LoadedPack, parseRulePack, RulePackError } from './pack-file.js';
import { checkPackSet } from './pack-set.js';

/** A pack file as written, and where it came from (a path, an S3 key): for messages. */
export const PackTextSchema = z.object({ origin: z.string().min(1), text: z.string() });
export type PackText = z.output<typeof PackTextSchema>;

/** The packs of a batch and its default pack, as they travel. */
export const PackChoiceSchema = z.object({
  packs: z.array(PackTextSchema),
  /** The pack of lines no pack's payers claim; the built-in rule set when absent. */
  defaultPack: z.string().min(1).optional(),
});
export interface PackChoice {
  readonly packs: readonly PackText[];
  readonly defaultPack?: string | undefined;
}

/** Every pack parsed; when some do not validate, one error names the problems of each of them. */
function parseEvery(packs: readonly PackText[]): LoadedPack[] {
  const loaded: LoadedPack[] = [];
  const refused: RulePackError[] = [];
  for (const pack of packs) {
    try {
      loaded.push(parseRulePack(pack.text, pack.origin));
    } catch (error) {
      if (!(error instanceof RulePackError)) throw error;
      refused.push(error);
    }
  }
  if (refused.length === 1) throw refused[0];
  if (refused.length > 1)
    throw new RulePackError(
      `${refused.length} rule packs`,
      refused.map((error) => error.message),
    );
  return loaded;
}

/** Throws a BAD_RULE_PACK ScrubError naming every problem when a pack or the set is not valid. */
export function loadRuleBooks(choice: PackChoice): RuleBooks {
  if (choice.packs.length === 0 && choice.defaultPack === undefined) return BUILT_IN_BOOKS;
  const loaded = parseEvery(choice.packs);
  checkPackSet(loaded, choice.defaultPack);
  return new RuleBooks(
    BUILT_IN_IDENTITY,
    loaded.map((pack) => ({
      name: pack.file.name,
      version: pack.file.version,
      sha256: pack.sha256,
      settings: pack.file,
    })),
    choice.defaultPack,
  );
}
