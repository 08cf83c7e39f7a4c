/** Writes a report folder to the local disk: the CLI's `check` and the local pipeline runner share it. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes the report files into `folder`; a failure comes back as one sentence naming the folder. */
export async function writeReportFolder(
  folder: string,
  files: Readonly<Record<string, string>>,
): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    await Promise.all(Object.entries(files).map(([name, content]) => writeFile(join(folder, name), content)));
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
    default:
      return code ?? (error as Error).message;
  }
}
