import { type App, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

import { STAGE_CONFIGS, type StageConfig, validateStageConfig } from '../config';
import { addNagChecks } from './nag';
import { StopProxyStack } from './stop-proxy-stack';

/** Context key that picks one environment: `npx cdk deploy -c stage=prod`. */
export const STAGE_CONTEXT_KEY = 'stage';

/** Construct id of the stack inside each stage; the deployed stack is named `<stage>-ModelArtsStopProxy`. */
export const STACK_ID = 'ModelArtsStopProxy';

/** One environment: a CDK stage holding the proxy stack, pinned to the configured account and region. */
export class StopProxyStage extends Stage {
  /** The proxy stack of this environment. */
  readonly stack: StopProxyStack;

  constructor(scope: Construct, config: StageConfig) {
    super(scope, config.stageName, { env: { account: config.account, region: config.region } });
    this.stack = new StopProxyStack(this, STACK_ID, {
      config,
      description: `ModelArts StopProcessorTaskVersion proxy (${config.stageName})`,
    });
  }
}

/**
 * Returns the configs to synthesize: the one named by the `stage` context value, or all of them.
 *
 * @throws Error when the requested stage has no config.
 */
export function selectStageConfigs(requested: unknown, configs: readonly StageConfig[] = STAGE_CONFIGS): StageConfig[] {
  if (requested === undefined) {
    return [...configs];
  }
  const match = configs.find((config) => config.stageName === requested);
  if (match === undefined) {
    const known = configs.map((config) => config.stageName).join(', ');
    throw new Error(`Unknown stage ${JSON.stringify(requested)} in context value "${STAGE_CONTEXT_KEY}"; use one of: ${known}`);
  }
  return [match];
}

/**
 * Validates each config, adds one stage per config to the app and registers the cdk-nag packs.
 *
 * @throws StageConfigError for the first config with invalid fields, before any construct is created.
 */
export function addStopProxyStages(app: App, configs: readonly StageConfig[]): StopProxyStage[] {
  for (const config of configs) {
    validateStageConfig(config);
  }
  const stages = configs.map((config) => new StopProxyStage(app, config));
  addNagChecks(app);
  return stages;
}
