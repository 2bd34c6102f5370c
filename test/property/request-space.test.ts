import { useIntegrationHarness } from '../support/integration-harness';
import { describeGatewayProperty } from './gateway-requests';
import { describeRequestSpaceProperties } from './request-space';

// 10,000 generated requests in all: 9,000 straight to the handler and 1,000 over HTTP through the gateway.
describe('request space properties', () => {
  const harness = useIntegrationHarness();
  describeRequestSpaceProperties(harness, { runs: { authorization: 4000, pathParameters: 4000, headersAndBodies: 1000 } });
  describeGatewayProperty(harness, 1000);
});
