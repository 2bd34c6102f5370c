import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDevSigningKey } from '../../local/dev-key';
import { buildStopEvent } from '../support/events';
import { useIntegrationHarness } from '../support/integration-harness';

const PROJECT_ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

describe('token script', () => {
  // Loading the key first creates .local/dev-issuer-key.json when it is missing, so the script below
  // signs with the same key instead of racing to create its own.
  const harness = useIntegrationHarness({ signingKey: loadDevSigningKey() });

  it('prints token the handler accepts', async () => {
    // Prepare
    const loaded = await harness.loadHandler();

    // Act
    const { stdout } = await run('npx', ['tsx', 'local/token.ts'], { cwd: PROJECT_ROOT, timeout: 20_000 });
    const token = stdout.trim().split('\n').at(-1) ?? '';
    const response = await harness.invoke(loaded, buildStopEvent({ token }));

    // Assess
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(response.status).toBe(200);
    expect(response.rawBody).toBe('{}');
    expect(harness.output.logLines('stop request completed')[0]?.callerSub).toBe('local-user');
  });
});
