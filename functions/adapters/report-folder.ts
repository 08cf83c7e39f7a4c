/** Writes a report folder to the local disk: the CLI's `check` and the local pipeline runner share it. */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A file's content: text, or pieces rendered as they are written. */
export type FileContent = string | (() => Iterable<string>);

/** A file named with its pieces, as the core's report assembly lists them. */
export interface FolderFile {
  readonly name: string;
  readonly pieces: () => Iterable<string>;
}

/** A list of files, written in its order; or files by name, written in key order. */
export type FolderFiles = Iterable<FolderFile> | Readonly<Record<string, FileContent>>;

function* contentsOf(files: FolderFiles): Iterable<[string, FileContent]> {
  if (Symbol.iterator in files) for (const file of files) yield [file.name, file.pieces];
  else yield* Object.entries(files);
}

/**
 * Writes the report files into `folder`, one after another in the order given; a failure comes back
 * as one sentence naming the folder. Files given as pieces are rendered and written one piece at a time.
 */
export async function writeReportFolder(folder: string, files: FolderFiles): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    for (const [name, content] of contentsOf(files)) {
      if (typeof content === 'string') {
        await writeFile(join(folder, name), content);
        continue;
      }
      const file = await open(join(folder, name), 'w');
      try {
        // writeFile writes a piece whole, at the current position (write may take only part of it).
        for (const piece of content()) await file.writeFile(piece);
      } finally {
        await file.close();
      }
    }
  } catch (error) {
    throw new Error(`cannot write the report folder ${folder} (${describeFsError(error)})`);
  }
}

/** A file-system error in a few words, without Node's code prefix. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return code ?? (error as Error).message;
  }
}
