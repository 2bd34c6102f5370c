import { useIntegrationHarness } from '../support/integration-harness';
import { FAULT_ROWS } from './matrix-rows';
import { describeFaultMatrix } from './matrix-runner';

describe('fault matrix', () => {
  const harness = useIntegrationHarness();
  describeFaultMatrix(harness, FAULT_ROWS);
});
