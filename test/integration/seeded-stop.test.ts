import { SEEDED_VERSION } from '../../local/stand-ins';
import { buildStopEvent } from '../support/events';
import { expectBaseHeaders, useIntegrationHarness } from '../support/integration-harness';

describe('stop handler with the seeded version', () => {
  const harness = useIntegrationHarness();

  it('stops seeded version with 200', async () => {
    // Prepare
    const loaded = await harness.loadHandler();
    const event = buildStopEvent({ token: harness.token() });
    const { projectId, taskId, versionId } = SEEDED_VERSION;

    // Act
    const response = await harness.invoke(loaded, event);

    // Assess
    expect(response.status).toBe(200);
    expect(response.rawBody).toBe('{}');
    expectBaseHeaders(response, event.requestContext.requestId);
    expect(response.headers['x-upstream-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(harness.standIns.modelArts.versionStatus(projectId, taskId, versionId)).toBe('STOPPED');
    expect(harness.modelArtsRequests()).toHaveLength(1);
    expect(harness.getSecretValueCalls()).toBe(1);
  });
});
