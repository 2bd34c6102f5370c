import { devConfig } from './dev';
import { prodConfig } from './prod';
import { stagingConfig } from './staging';
import type { StageConfig } from './stage-config';

export type { AlarmNotification, StageConfig } from './stage-config';
export { StageConfigError, validateStageConfig } from './validate';

/** Every environment the app can deploy, in promotion order. */
export const STAGE_CONFIGS: readonly StageConfig[] = [devConfig, stagingConfig, prodConfig];
