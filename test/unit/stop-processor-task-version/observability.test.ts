import { Metrics } from '@aws-lambda-powertools/metrics';
import { createMetrics, recordRequest } from '../../../functions/stop-processor-task-version/observability';
import { captureOutput, type CapturedOutput, type JsonLine } from '../../support/captured-output';

/** EMF documents that carry the outcome dimension. */
function outcomeDocuments(lines: readonly JsonLine[]): JsonLine[] {
  return lines.filter((line) => typeof line._aws === 'object' && line.outcome !== undefined);
}

describe('recordRequest outcome metric', () => {
  let output: CapturedOutput;

  beforeEach(() => {
    output = captureOutput();
  });

  afterEach(() => {
    output.restore();
    jest.restoreAllMocks();
  });

  it('reuses one outcome emitter', () => {
    const metrics = createMetrics('test');
    const singleMetric = jest.spyOn(Metrics.prototype, 'singleMetric');

    for (const outcome of ['stopped', 'forbidden', 'stopped']) {
      recordRequest({ requestId: `request-${outcome}`, outcome, status: 200 }, metrics);
    }

    expect(singleMetric).toHaveBeenCalledTimes(1);
  });

  it('emits each outcome alone', () => {
    // Prepare
    const metrics = createMetrics('test');

    // Act
    recordRequest({ requestId: 'request-1', outcome: 'stopped', status: 200 }, metrics);
    recordRequest({ requestId: 'request-2', outcome: 'forbidden', status: 403 }, metrics);

    // Assess: the reused emitter clears the previous outcome before the next document.
    const documents = outcomeDocuments(output.jsonLines());
    expect(documents.map((document) => document.outcome)).toEqual(['stopped', 'forbidden']);
    for (const document of documents) {
      const directive = (document._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0];
      expect(directive?.Dimensions).toEqual([['service', 'stage', 'outcome']]);
      expect(document.StopRequests).toBe(1);
    }
  });

  it('keeps one emitter per Metrics', () => {
    const first = createMetrics('first');
    const second = createMetrics('second');

    recordRequest({ requestId: 'request-1', outcome: 'stopped', status: 200 }, first);
    recordRequest({ requestId: 'request-2', outcome: 'stopped', status: 200 }, second);

    const stages = outcomeDocuments(output.jsonLines()).map((document) => document.stage);
    expect(stages).toEqual(['first', 'second']);
  });
});
