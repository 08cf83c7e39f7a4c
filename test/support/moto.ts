/**
 * moto_server on loopback for the optional tests against a real wire endpoint (`--endpoint`): moto
 * sends its own S3 → SQS notifications. Nothing a user needs relies on it; tests skip without it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { sleep } from '../../functions/pipeline/sleep.js';

export const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

export interface Moto {
  readonly endpoint: string;
  stop(): void;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const answers = (url: string): Promise<boolean> =>
  fetch(url).then(
    () => true,
    () => false,
  );

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await answers(`${endpoint}/moto-api/`)) return { endpoint, stop: () => server.kill() };
    await sleep(100);
  }
  server.kill();
  throw new Error('moto_server did not start');
}

/**
 * moto_server for the tests of one file: started before them and stopped after, where it is
 * installed. Read `endpoint` inside a test (it is set once the server answers).
 */
export function motoForTests(): { readonly endpoint: string } {
  const shared = { endpoint: '' };
  let moto: Moto | undefined;
  beforeAll(async () => {
    if (!hasMoto) return;
    moto = await startMoto();
    shared.endpoint = moto.endpoint;
  });
  afterAll(() => moto?.stop());
  return shared;
}
