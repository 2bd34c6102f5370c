import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Inputs of the alarms: the watched resources, the metric identity and the notification topic. */
export interface StopProxyAlarmsProps {
  /** Environment name: the `stage` dimension of the handler's metrics and the prefix of alarm names. */
  readonly stageName: string;
  /** The handler function. */
  readonly function: IFunction;
  /** Timeout of the function; the duration alarm fires close to it. */
  readonly functionTimeout: Duration;
  /** The HTTP API in front of the function. */
  readonly api: IHttpApi;
  /** `service` dimension that Powertools Metrics adds to every metric. */
  readonly serviceName: string;
  /** CloudWatch namespace of the handler's EMF metrics. */
  readonly metricsNamespace: string;

  /**
   * Topic notified when an alarm enters ALARM and when it returns to OK.
   * @default - no notification
   */
  readonly topic?: ITopic;

  /**
   * Period over which each alarm evaluates its metric.
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;

  /**
   * Share of API requests that got a 5xx response, in percent, at which the API alarm fires.
   * @default 5
   */
  readonly serverErrorRatePercent?: number;

  /**
   * Minimum number of requests in a period before the 5xx rate counts, so that one failed request out
   * of two does not page anyone.
   * @default 10
   */
  readonly serverErrorMinRequests?: number;

  /**
   * Fraction of the function timeout that the p99 duration may reach before its alarm fires.
   * @default 0.8
   */
  readonly durationTimeoutRatio?: number;
}

/**
 * CloudWatch alarms of one proxy deployment: function errors, throttles, the API's 5xx rate, p99
 * duration close to the timeout, and upstream credential failures (502s caused by an upstream 401 or
 * 403, counted by the handler as an EMF metric).
 */
export class StopProxyAlarms extends Construct {
  /** Fires on any function error: an unhandled exception, an init failure or a timeout. */
  readonly functionErrors: Alarm;
  /** Fires when Lambda rejects an invocation for lack of concurrency. */
  readonly functionThrottles: Alarm;
  /** Fires when the share of 5xx responses of the API reaches `serverErrorRatePercent`. */
  readonly apiServerErrorRate: Alarm;
  /** Fires when the p99 duration approaches the function timeout. */
  readonly durationNearTimeout: Alarm;
  /** Fires when ModelArts rejects the stored AK/SK, which means the secret needs rotating or fixing. */
  readonly upstreamCredentialFailures: Alarm;

  constructor(scope: Construct, id: string, props: StopProxyAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const prefix = `${props.serviceName}-${props.stageName}`;

    this.functionErrors = this.countAlarm('FunctionErrors', {
      alarmName: `${prefix}-function-errors`,
      alarmDescription: 'The stop-proxy function failed: an unhandled error, an init failure or a timeout. See its log group.',
      metric: props.function.metricErrors({ period, statistic: 'Sum' }),
    });

    this.functionThrottles = this.countAlarm('FunctionThrottles', {
      alarmName: `${prefix}-function-throttles`,
      alarmDescription: 'Lambda throttled the stop-proxy function; callers got 5xx responses. Check reserved and account concurrency.',
      metric: props.function.metricThrottles({ period, statistic: 'Sum' }),
    });

    const ratePercent = props.serverErrorRatePercent ?? 5;
    const minRequests = props.serverErrorMinRequests ?? 10;
    this.apiServerErrorRate = new Alarm(this, 'ApiServerErrorRate', {
      alarmName: `${prefix}-api-5xx-rate`,
      alarmDescription: `At least ${ratePercent} % of API requests got a 5xx response (periods with ${minRequests} or more requests).`,
      metric: new MathExpression({
        expression: `IF(requests >= ${minRequests}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: props.api.metricServerError({ period, statistic: 'Sum' }),
          requests: props.api.metricCount({ period, statistic: 'Sum' }),
        },
        label: '5xx responses (%)',
        period,
      }),
      threshold: ratePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const ratio = props.durationTimeoutRatio ?? 0.8;
    const durationThresholdMs = Math.round(props.functionTimeout.toMilliseconds() * ratio);
    this.durationNearTimeout = new Alarm(this, 'DurationNearTimeout', {
      alarmName: `${prefix}-p99-duration-near-timeout`,
      alarmDescription: `p99 duration reached ${durationThresholdMs} ms of the ${props.functionTimeout.toSeconds()} s timeout in 2 of 3 periods; ModelArts or Secrets Manager is slow.`,
      metric: props.function.metricDuration({ period, statistic: 'p99' }),
      threshold: durationThresholdMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Two slow periods out of three, so that one slow cold start does not fire it.
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Powertools Metrics emits the `service` dimension and the handler's `stage` default dimension
    // together, so the alarm must name exactly these two to match the emitted metric.
    this.upstreamCredentialFailures = this.countAlarm('UpstreamCredentialFailures', {
      alarmName: `${prefix}-upstream-credential-failures`,
      alarmDescription: 'ModelArts answered 401 or 403 to the proxy: the AK/SK in the upstream secret is wrong, expired or lacks permission.',
      metric: new Metric({
        namespace: props.metricsNamespace,
        metricName: 'UpstreamCredentialFailures',
        dimensionsMap: { service: props.serviceName, stage: props.stageName },
        statistic: 'Sum',
        period,
      }),
    });

    if (props.topic !== undefined) {
      const action = new SnsAction(props.topic);
      for (const alarm of this.all()) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  /** Returns every alarm of this construct. */
  all(): Alarm[] {
    return [
      this.functionErrors,
      this.functionThrottles,
      this.apiServerErrorRate,
      this.durationNearTimeout,
      this.upstreamCredentialFailures,
    ];
  }

  /** Creates an alarm that fires on one or more events of a count metric in a single period. */
  private countAlarm(id: string, options: { alarmName: string; alarmDescription: string; metric: IMetric }): Alarm {
    return new Alarm(this, id, {
      ...options,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
