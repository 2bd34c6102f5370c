/**
 * cdk-nag gate: an unacknowledged finding in a stage must fail synthesis, and every acknowledgment
 * must carry a reason. That the shipped stages pass is shown by the template tests, whose synthesis
 * would throw otherwise. Bundling is skipped here because no test reads the bundle.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { App, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

import { STAGE_CONFIGS, type StageConfig } from '../../infra/config';
import { devConfig } from '../../infra/config/dev';
import { prodConfig } from '../../infra/config/prod';
import { addStopProxyStages, type StopProxyStage } from '../../infra/lib/stop-proxy-app';

const CDK_CONTEXT = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/**
 * Builds the real app from the given configs without bundling: an empty bundling-stacks list makes
 * every stack skip it.
 */
function buildApp(configs: readonly StageConfig[] = STAGE_CONFIGS): { app: App; stages: StopProxyStage[] } {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stages = addStopProxyStages(app, configs);
  return { app, stages };
}

/** Adds a policy with a wildcard action and resource to the stage's function role. */
function addWildcardPolicy(stage: StopProxyStage): Policy {
  return new Policy(stage.stack, 'TooBroadPolicy', {
    roles: [stage.stack.proxy.function.role!],
    statements: [new PolicyStatement({ actions: ['s3:*'], resources: ['*'] })],
  });
}

function collectAcknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag gate', () => {
  test('unacknowledged finding fails synth', () => {
    // Prepare
    const { app, stages } = buildApp([devConfig, prodConfig]);
    addWildcardPolicy(stages[1]!);

    // Act
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = String(error);
    }

    // Assess
    expect(message).toContain('AwsSolutions-IAM5[Action::s3:*]');
    expect(message).toContain('AwsSolutions-IAM5[Resource::*]');
    expect(message).toContain('prod/ModelArtsStopProxy/TooBroadPolicy/Resource');
    expect(message).not.toContain('dev/ModelArtsStopProxy/TooBroadPolicy');
  });

  test('acknowledged finding passes synth', () => {
    // Prepare
    const { app, stages } = buildApp([prodConfig]);
    const policy = addWildcardPolicy(stages[0]!);
    Validations.of(policy).acknowledge(
      { id: 'AwsSolutions-IAM5[Action::s3:*]', reason: 'Test fixture: proves that an acknowledged finding passes.' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Test fixture: proves that an acknowledged finding passes.' },
    );

    // Act and assess
    expect(() => app.synth()).not.toThrow();
  });
});

describe('acknowledgments', () => {
  test('each acknowledged rule is expected', () => {
    const { app } = buildApp();

    const ids = new Set(collectAcknowledgments(app).map((ack) => ack.id));

    expect([...ids].sort()).toEqual([
      'AwsSolutions-L1',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaLatestVersion',
      'Serverless-LambdaTracing',
      'Serverless-SNSRedrivePolicy',
    ]);
  });

  test('each acknowledgment gives a reason', () => {
    const { app } = buildApp();

    const acknowledgments = collectAcknowledgments(app);

    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const ack of acknowledgments) {
      // A reason names the cause; a few words such as "not needed" do not hold up in review.
      expect(ack.reason.length).toBeGreaterThanOrEqual(60);
      expect(ack.reason).not.toContain('\n');
    }
  });
});
