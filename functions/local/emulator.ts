/**
 * The embedded S3/SQS/SNS emulator (fauxqs), bound to 127.0.0.1 on a free port.
 *
 * fauxqs 1.9.2 ignores `If-None-Match: *` on PutObject (its putObject action never reads the header),
 * while S3 has honoured it since 2024 and the merge lock relies on it. So the in-process emulator gets
 * that one S3 behaviour added in front of its PUT route: a conditional PUT of an existing key answers
 * 412 PreconditionFailed, exactly as S3 does. Conditional PUTs of the same key are serialised, which
 * makes check-then-write atomic between them.
 *
 * fauxqs also stores an empty part for UploadPartCopy (its uploadPart action never reads
 * x-amz-copy-source), and the report's findings.csv is composed from pieces with it. So the copy is
 * added too, in both the in-process and the isolated emulator (addPartCopies).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { buildApp } from 'fauxqs';
import { ScrubError } from '../core/errors.js';

export interface Emulator {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Whether PutObject honours If-None-Match: * (the merge lock is then exclusive). */
  readonly conditionalWrites: boolean;
  stop(): Promise<void>;
}

type FauxqsApp = ReturnType<typeof buildApp>;

const PRECONDITION_FAILED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
  '<Condition>If-None-Match</Condition></Error>';

function addConditionalPuts(app: FauxqsApp): void {
  const queues = new Map<string, Promise<void>>();
  const releases = new WeakMap<object, () => void>();
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'PUT' || request.headers['if-none-match'] !== '*') return;
    const params = request.params as { bucket?: string; '*'?: string };
    if (!params.bucket || !params['*']) return;
    const path = `/${params.bucket}/${params['*'].split('/').map(encodeURIComponent).join('/')}`;
    const previous = queues.get(path) ?? Promise.resolve();
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => turn);
    queues.set(path, tail);
    releases.set(request, () => {
      release();
      if (queues.get(path) === tail) queues.delete(path);
    });
    await previous;
    const head = await app.inject({ method: 'HEAD', url: path });
    if (head.statusCode === 200) {
      reply.code(412).header('content-type', 'application/xml').send(PRECONDITION_FAILED);
      return reply;
    }
  });
  app.addHook('onResponse', (request, _reply, done) => {
    releases.get(request)?.();
    done();
  });
}

/**
 * UploadPartCopy in front of fauxqs's upload-part route: the source range, read with a GET, becomes
 * the request's body, so fauxqs's own route stores it as the part (a PUT of it could pass fauxqs's
 * body limit), and the answer becomes S3's CopyPartResult. Self-contained (no outer names, no types
 * at run time): the isolated emulator's child process runs its source text.
 */
function addPartCopies(app: FauxqsApp): void {
  const copies = new WeakSet<object>();
  app.addHook('preHandler', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const copySource = request.headers['x-amz-copy-source'];
    if (request.method !== 'PUT' || !query.uploadId || !query.partNumber || typeof copySource !== 'string')
      return;
    const source = decodeURIComponent(copySource).replace(/^\//, '');
    const range = request.headers['x-amz-copy-source-range'];
    const read = await app.inject({
      method: 'GET',
      url: `/${source.split('/').map(encodeURIComponent).join('/')}`,
      headers: typeof range === 'string' ? { range } : {},
    });
    if (read.statusCode !== 200 && read.statusCode !== 206) {
      reply.code(read.statusCode).header('content-type', 'application/xml').send(read.body);
      return reply;
    }
    request.body = read.rawPayload;
    copies.add(request);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!copies.has(request) || reply.statusCode !== 200) return payload;
    reply.header('content-type', 'application/xml');
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult>' +
      `<ETag>${String(reply.getHeader('etag'))}</ETag><LastModified>${new Date().toISOString()}</LastModified>` +
      '</CopyPartResult>'
    );
  });
}

async function startInProcess(): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  addConditionalPuts(app);
  addPartCopies(app);
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint, conditionalWrites: true, stop: async () => void (await app.close()) };
}

/** fauxqs exports only an `import` condition: find its entry file for a child process to import. */
function fauxqsEntryUrl(): string {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (resolve) {
    try {
      return resolve('fauxqs');
    } catch {
      // fall through to the node_modules search
    }
  }
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', 'fauxqs', 'dist', 'app.js');
      if (existsSync(candidate)) return pathToFileURL(candidate).href;
      if (dirname(dir) === dir) break;
    }
  }
  throw new ScrubError('EMULATOR', 'the fauxqs package is not installed (npm ci installs it)');
}

// Exits when the parent closes stdin, so a crashed parent never leaves an emulator behind.
const CHILD_SCRIPT = `
const { buildApp } = await import(process.env.SCRUB62323_FAUXQS_URL);
const app = buildApp({ logger: false });
(${addPartCopies.toString()})(app);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(address + '\\n');
process.stdin.on('end', () => app.close().then(() => process.exit(0)));
process.stdin.resume();
`;

/**
 * The emulator in a child process, so that its CPU time is not counted as the functions' CPU time
 * (the benchmark). Without the conditional-write addition: the benchmark runs one validate at a time.
 */
async function startIsolated(): Promise<Emulator> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    env: { ...process.env, SCRUB62323_FAUXQS_URL: fauxqsEntryUrl() },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) =>
      reject(new ScrubError('EMULATOR', `the emulator process exited (code ${code}) before it started`)),
    );
  });
  return {
    endpoint,
    conditionalWrites: false,
    async stop() {
      child.stdin?.end();
      await exited;
    },
  };
}

export async function startEmulator(options: { readonly isolated?: boolean } = {}): Promise<Emulator> {
  return options.isolated ? startIsolated() : startInProcess();
}
