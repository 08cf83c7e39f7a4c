/**
 * Rule packs in the pipeline: every `packs/*.json` of the work bucket, read once when a batch is
 * split and copied into its manifest, so every chunk of the batch is judged by the same packs even if
 * the folder changes meanwhile. The upload's folder `incoming/<pack name>/…` names the batch's
 * default pack.
 */
import { isScrubError } from '../core/errors.js';
import type { BatchError } from '../core/report/summary.js';
import type { RuleBooks } from '../core/rules/books.js';
import { loadRuleBooks, type PackChoice, type PackText } from '../core/rules/packs/load.js';
import type { ObjectStore } from './ports.js';
import { PREFIX } from './topology.js';
import type { Manifest } from './work-files.js';

/** A manifest's rule books, loaded once per manifest (a warm Lambda checks many chunks of one batch). */
const loadedBooks = new WeakMap<Manifest, RuleBooks>();
export function booksOf(manifest: Manifest): RuleBooks {
  const known = loadedBooks.get(manifest);
  if (known !== undefined) return known;
  const books = loadRuleBooks(manifest.rulePacks);
  loadedBooks.set(manifest, books);
  return books;
}

/**
 * The pack folder an upload names: `incoming/commercial-um/nightly.csv` → `commercial-um`; an upload
 * directly under incoming/ names none (the built-in rule set is the default).
 */
export function defaultPackOfKey(key: string): string | undefined {
  const rest = key.startsWith(PREFIX.incoming) ? key.slice(PREFIX.incoming.length) : key;
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

/** The packs of the work bucket, in key order, and the default the upload names. */
export async function packChoiceOf(
  store: ObjectStore,
  bucket: string,
  uploadKey: string,
): Promise<PackChoice> {
  const files = (await store.list(bucket, PREFIX.packs))
    .filter((item) => item.key.toLowerCase().endsWith('.json'))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const packs: PackText[] = [];
  for (const file of files) {
    const bytes = await store.read(bucket, file.key);
    if (bytes) packs.push({ origin: file.key, text: Buffer.from(bytes).toString('utf8') }); // else deleted since the listing
  }
  const defaultPack = defaultPackOfKey(uploadKey);
  return { packs, ...(defaultPack === undefined ? {} : { defaultPack }) };
}

/** Why a batch's packs cannot judge it (BAD_RULE_PACK), or undefined when they load. */
export function packProblemOf(choice: PackChoice): BatchError | undefined {
  try {
    loadRuleBooks(choice);
    return undefined;
  } catch (error) {
    if (isScrubError(error) && error.code === 'BAD_RULE_PACK')
      return { code: error.code, message: error.message };
    throw error;
  }
}
