/** The metrics port on Lambda: EMF documents CloudWatch turns into the metrics alarms use. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfMetrics } from '../../../functions/adapters/emf-metrics.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function capture(stream: NodeJS.WriteStream): string[] {
  const written: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}

const documentOf = (line: string): Record<string, unknown> => JSON.parse(line);

describe('emfMetrics', () => {
  it('writes the counts at publish: one document per dimension set, in the scrub62323 namespace', () => {
    const stdout = capture(process.stdout);
    const metrics = emfMetrics();
    metrics.count('BatchesReported', 1, { status: 'incomplete' });
    metrics.count('LinesChecked', 598);
    metrics.count('ChunksFailed', 1);
    expect(stdout).toEqual([]);
    metrics.publish();
    const documents = stdout.map(documentOf);
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'scrub62323',
            Dimensions: [['service', 'status']],
            Metrics: [{ Name: 'BatchesReported', Unit: 'Count' }],
          },
        ],
      },
      service: 'scrub62323',
      status: 'incomplete',
      BatchesReported: 1,
    });
    expect(documents[1]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'scrub62323',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'LinesChecked', Unit: 'Count' },
              { Name: 'ChunksFailed', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'scrub62323',
      LinesChecked: 598,
      ChunksFailed: 1,
    });
  });

  it('writes nothing, and warns of nothing, for an invocation that counted nothing', () => {
    const stdout = capture(process.stdout);
    const stderr = capture(process.stderr);
    const metrics = emfMetrics();
    metrics.publish();
    metrics.count('ChunksFailed', 1);
    metrics.publish();
    metrics.publish();
    expect(stdout.map(documentOf).map((document) => document.ChunksFailed)).toEqual([1]);
    expect(stderr).toEqual([]);
  });
});
