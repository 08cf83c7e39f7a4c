/** Opens a file with the desktop's default application (the browser, for report.html). */
import { spawn } from 'node:child_process';

/** The opener command of each platform: xdg-open on Linux and the BSDs, open on macOS, start on Windows. */
export function openerOf(platform: NodeJS.Platform, path: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [path] };
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', path] };
  return { command: 'xdg-open', args: [path] };
}

/** How long an opener may take to say it failed; one still running after that is taken as done. */
const OPENER_WAIT_MS = 5_000;

/** True when the opener started and did not fail; false when it is missing or exits with an error. */
export function openWithDefaultApp(
  path: string,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  const { command, args } = openerOf(platform, path);
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true });
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve(true);
    }, OPENER_WAIT_MS);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
