/** A command's io captured as text, for tests that run a command in-process. */
import type { CommandIo } from '../../functions/cli/io.js';

export function capture(): CommandIo & { readonly out: () => string; readonly err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
