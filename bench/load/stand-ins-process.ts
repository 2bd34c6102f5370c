/**
 * Child process of `npm run load`: runs the JWT issuer, Secrets Manager and ModelArts stand-ins on
 * 127.0.0.1, and makes ModelArts fail one stop request in every FAULT_EVERY with the next fault of
 * FAULT_CYCLE, for as long as the process runs.
 */
import { SigningKey, startStandIns } from '../../local/stand-ins';
import type { ModelArtsFault } from '../../local/stand-ins/modelarts';
import { FAULT_CYCLE, FAULT_EVERY } from './faults';
import type { DriverMessage, StandInCountsMessage, StandInsReadyMessage } from './protocol';

const INJECTOR_INTERVAL_MS = 10;

async function main(): Promise<void> {
  const keyPath = process.env.LOAD_SIGNING_KEY_PATH;
  if (!keyPath) {
    throw new Error('LOAD_SIGNING_KEY_PATH must name the signing key file that the load driver created.');
  }
  const standIns = await startStandIns(SigningKey.loadOrCreate(keyPath));
  const { issuer, secretsManager, modelArts } = standIns;

  let faultsQueued = 0;
  const injector = setInterval(() => {
    // Faults follow the stop requests received, so their share stays the same at any request rate.
    while (faultsQueued < Math.floor(modelArts.stopRequests.length / FAULT_EVERY)) {
      modelArts.queueFaults(FAULT_CYCLE[faultsQueued % FAULT_CYCLE.length] as ModelArtsFault);
      faultsQueued++;
    }
  }, INJECTOR_INTERVAL_MS);

  process.on('message', (message: DriverMessage) => {
    if (message.type === 'counts') {
      const counts: StandInCountsMessage = {
        type: 'counts',
        getSecretValueCalls: secretsManager.getSecretValueCalls,
        modelArtsRequests: modelArts.stopRequests.length,
        jwksRequests: issuer.jwksRequests,
        faultsQueued,
      };
      process.send?.(counts);
    } else if (message.type === 'stop') {
      clearInterval(injector);
      void standIns.close().then(() => process.exit(0));
    }
  });

  const ready: StandInsReadyMessage = {
    type: 'ready',
    env: standIns.env,
    credentials: { ak: standIns.credentials.ak, sk: standIns.credentials.sk },
  };
  process.send?.(ready);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
