/**
 * The metrics port as CloudWatch embedded metric format (Powertools Metrics): JSON log lines that
 * CloudWatch turns into metrics, with no API call and no extra latency.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricDimensions, PipelineMetrics } from '../pipeline/ports.js';
import { METRICS, type MetricName } from '../pipeline/topology.js';

interface DimensionedCount {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

export function emfMetrics(): PipelineMetrics {
  const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service });
  // An EMF document's dimensions apply to every metric in it: counts with their own dimensions
  // (BatchesReported by status) each go out as a document of their own.
  const dimensioned: DimensionedCount[] = [];
  return {
    count(name, value, dimensions) {
      if (dimensions && Object.keys(dimensions).length > 0) dimensioned.push({ name, value, dimensions });
      else metrics.addMetric(name, MetricUnit.Count, value);
    },
    publish() {
      for (const { name, value, dimensions } of dimensioned.splice(0)) {
        const single = metrics.singleMetric(); // written as soon as its metric is added
        for (const [dimension, label] of Object.entries(dimensions)) single.addDimension(dimension, label);
        single.addMetric(name, MetricUnit.Count, value);
      }
      // Powertools warns on an empty publish; an invocation that counted nothing writes nothing.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
