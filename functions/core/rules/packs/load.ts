/**
 * From pack files to a batch's rule books: every pack parsed and validated, the set checked (names,
 * payers, the default), then resolved. Pack texts are what crosses process boundaries (a worker
 * thread, a pipeline manifest); each side loads its own books from the same texts.
 */
import { z } from 'zod';
import { BUILT_IN_BOOKS, BUILT_IN_IDENTITY, RuleBooks } from '../books.js';
import { parseRulePack } from './pack-file.js';
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

/** Throws a BAD_RULE_PACK ScrubError naming every problem when a pack or the set is not valid. */
export function loadRuleBooks(choice: PackChoice): RuleBooks {
  if (choice.packs.length === 0 && choice.defaultPack === undefined) return BUILT_IN_BOOKS;
  const loaded = choice.packs.map((pack) => parseRulePack(pack.text, pack.origin));
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
