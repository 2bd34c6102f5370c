/**
 * CDK app entry point. `cdk synth` with no context builds every environment; `-c stage=<name>` builds
 * only that one, which is what a deploy should use.
 */
import { App } from 'aws-cdk-lib';

import { STAGE_CONTEXT_KEY, addStopProxyStages, selectStageConfigs } from '../lib/stop-proxy-app';

const app = new App();
addStopProxyStages(app, selectStageConfigs(app.node.tryGetContext(STAGE_CONTEXT_KEY)));
