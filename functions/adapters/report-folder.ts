/** Writes a report folder to the local disk: the CLI's `check` and the local pipeline runner share it. */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A file's content: text, or pieces rendered as they are written. */
export type FileContent = string | (() => Iterable<string>);

/**
 * Writes the report files into `folder`; a failure comes back as one sentence naming the folder.
 * Files given as pieces are rendered and written one piece at a time, one file after another.
 */
export async function writeReportFolder(
  folder: string,
  files: Readonly<Record<string, FileContent>>,
): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
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
