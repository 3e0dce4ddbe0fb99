/**
 * Alerts that name no task: every shape of test/fixtures/slack-service (EventBridge service and deployment events,
 * CloudWatch alarms as SNS, EventBridge and Amazon Q Developer give them, the service's own event texts, a
 * formatter's fields) yields its service and what happened to it; healthy states (steady state, an alarm back to
 * OK) and task alerts yield none.
 */
import { describe, expect, it } from 'vitest';
import { serviceArnOf } from '../../src/aws/service-target.js';
import { findServiceAlerts, findServiceAlertsInMessage } from '../../src/slack/service-alert.js';
import {
  type ServiceAlertVars,
  serviceAlertFixture,
  serviceFixtureExpectation,
  serviceFixtureNames,
} from '../helpers/service-fixtures.js';
import { alertFixture } from '../helpers/slack-fixtures.js';

const vars: ServiceAlertVars = {
  ACCOUNT: '210987654321',
  REGION: 'eu-south-1',
  CLUSTER: 'payments',
  SERVICE: 'checkout-api',
};

describe('findServiceAlertsInMessage: every alert shape', () => {
  const names = serviceFixtureNames();
  it('there are fixtures of each kind and of healthy states', () => {
    const kinds = names
      .map((n) => serviceFixtureExpectation(n, vars))
      .map((e) => ('none' in e ? 'none' : e.kind));
    expect(new Set(kinds)).toEqual(
      new Set(['task-start-impaired', 'placement-failure', 'deployment-failed', 'rollback', 'alarm', 'none']),
    );
  });
  for (const name of names) {
    it(name, () => {
      const want = serviceFixtureExpectation(name, vars);
      const found = findServiceAlertsInMessage(serviceAlertFixture(name, vars));
      if ('none' in want) {
        expect(found).toEqual([]);
        return;
      }
      expect(found).toHaveLength(1);
      expect(found[0]!.kind).toBe(want.kind);
      expect(found[0]!.alarm).toBe(want.alarm);
      expect(found[0]!.target).toEqual({
        partition: 'aws',
        region: 'eu-south-1',
        account: '210987654321',
        cluster: 'payments',
        service: 'checkout-api',
      });
    });
  }
});

describe('findServiceAlerts: what it does not take', () => {
  it('a task alert names no service alert (its event says group service:NAME, not a service in trouble)', () => {
    const id = '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
    const msg = alertFixture('eventbridge-json-text', {
      ACCOUNT: vars.ACCOUNT,
      REGION: vars.REGION,
      CLUSTER: 'payments',
      TASK_ID: id,
      TASK_ARN: `arn:aws:ecs:${vars.REGION}:${vars.ACCOUNT}:task/payments/${id}`,
    });
    expect(findServiceAlertsInMessage(msg)).toEqual([]);
  });

  it('a service event without account and region names nothing (no account to read)', () => {
    expect(
      findServiceAlerts('(service web) is unable to consistently start tasks successfully. Cluster: shop'),
    ).toEqual([]);
  });

  it('a service ARN alone, without what an alert about it says, is not an alert', () => {
    expect(
      findServiceAlerts('arn:aws:ecs:eu-west-1:123456789012:service/shop/web scaled to 3 tasks'),
    ).toEqual([]);
  });

  it('an old-format service ARN takes its cluster from the event', () => {
    const event = {
      'detail-type': 'ECS Service Action',
      source: 'aws.ecs',
      resources: ['arn:aws:ecs:eu-west-1:123456789012:service/web'],
      detail: {
        eventName: 'SERVICE_TASK_START_IMPAIRED',
        clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop',
      },
    };
    const [found] = findServiceAlerts(JSON.stringify(event));
    expect(serviceArnOf(found!.target)).toBe('arn:aws:ecs:eu-west-1:123456789012:service/shop/web');
  });

  it('a rollback is only the circuit breaker’s: an ordinary deployment in progress is not an alert', () => {
    const event = (reason: string) =>
      JSON.stringify({
        'detail-type': 'ECS Deployment State Change',
        resources: ['arn:aws:ecs:eu-west-1:123456789012:service/shop/web'],
        detail: { eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', reason },
      });
    expect(findServiceAlerts(event('ECS deployment ecs-svc/1 in progress.'))).toEqual([]);
    expect(
      findServiceAlerts(event('ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.'))[0]!
        .kind,
    ).toBe('rollback');
  });

  it('one service named twice is one alert; at most three services', () => {
    const arn = (s: string) => `arn:aws:ecs:eu-west-1:123456789012:service/shop/${s}`;
    const event = (s: string) => ({
      'detail-type': 'ECS Service Action',
      resources: [arn(s)],
      detail: { eventName: 'SERVICE_TASK_START_IMPAIRED' },
    });
    expect(findServiceAlerts(JSON.stringify([event('a'), event('a')]))).toHaveLength(1);
    expect(findServiceAlerts(JSON.stringify(['a', 'b', 'c', 'd'].map(event)))).toHaveLength(3);
  });
});
