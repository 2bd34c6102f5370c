import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Registers the cdk-nag AwsSolutions and Serverless packs on the app. cdk-nag 3 runs as a CDK
 * validation plugin, and each pack walks the whole construct tree, every stage included.
 *
 * A finding that no `Validations.of(construct).acknowledge(...)` call covers fails synthesis, but the
 * CDK CLI (2.1149) decides that from the validation report and keeps only findings in the stacks it
 * selected. Plain `cdk synth` selects only top-level stacks, and this app has none, so it would pass:
 * select the stage stacks explicitly, as `npm run synth` does with `cdk synth '**'`.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
