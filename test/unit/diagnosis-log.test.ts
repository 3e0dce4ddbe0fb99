/** The diagnosis summary line and the AWS error warnings: one per API and code, whatever the checks it hit. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import type { Report } from '../../src/diagnosis/report.js';
import {
  awsErrorOfUserError,
  awsErrorsOf,
  diagnosisOutcome,
  diagnosisSummary,
  logAwsErrors,
} from '../../src/observability/diagnosis-log.js';
import { captureLog } from '../helpers/slack-log.js';

const check = (
  id: string,
  status: CheckResult['status'],
  error?: { action?: string; code: string },
): CheckResult => ({
  id,
  status,
  message: { key: `${id}.x` },
  evidence: [],
  links: [],
  ...(error
    ? {
        missing: {
          fact: 'f',
          error: { kind: 'denied', code: error.code, message: 'm', action: error.action },
        },
      }
    : {}),
});

function report(checks: CheckResult[], extra: Partial<Report['aws']> = {}): Report {
  return {
    checks,
    causes: [{ id: 'network-no-route', confidence: 0.876 }],
    aws: {
      calls: [],
      callCount: 12,
      cachedCount: 3,
      rounds: 4,
      wallMs: 800,
      deadlineExceeded: false,
      ...extra,
    },
  } as unknown as Report;
}

describe('diagnosis log', () => {
  const r = report([
    check('network.route', 'unknown', { action: 'ec2:DescribeRouteTables', code: 'UnauthorizedOperation' }),
    check('network.nat-gateway', 'unknown', {
      action: 'ec2:DescribeRouteTables',
      code: 'UnauthorizedOperation',
    }),
    check('image.exists', 'unknown', { action: 'ecr:DescribeImages', code: 'AccessDeniedException' }),
    check('identity.trust', 'pass'),
  ]);

  it('one warning per API and code, naming the checks it left unknown', () => {
    expect(awsErrorsOf(r)).toEqual([
      {
        api: 'ec2:DescribeRouteTables',
        code: 'UnauthorizedOperation',
        kind: 'denied',
        checks: ['network.route', 'network.nat-gateway'],
      },
      { api: 'ecr:DescribeImages', code: 'AccessDeniedException', kind: 'denied', checks: ['image.exists'] },
    ]);
    const captured = captureLog('debug');
    logAwsErrors(captured.log.child({ correlationId: 'abcd1234' }), r);
    expect(captured.entries()).toEqual([
      expect.objectContaining({ level: 40, correlationId: 'abcd1234', api: 'ec2:DescribeRouteTables' }),
      expect.objectContaining({ level: 40, correlationId: 'abcd1234', api: 'ecr:DescribeImages' }),
    ]);
  });

  it('the summary: cause, confidence, outcome, duration, calls, rounds, unknown checks', () => {
    expect(diagnosisOutcome(r)).toBe('partial');
    expect(diagnosisOutcome(report([check('a.b', 'pass')]))).toBe('ok');
    expect(diagnosisOutcome(report([], { deadlineExceeded: true }))).toBe('partial');
    expect(diagnosisSummary(r, 'partial', 812.4)).toEqual({
      outcome: 'partial',
      topCause: 'network-no-route',
      confidence: 0.88,
      durationMs: 812,
      awsCalls: 12,
      cachedCalls: 3,
      rounds: 4,
      unknownChecks: 3,
      unknownCheckIds: ['network.route', 'network.nat-gateway', 'image.exists'],
    });
    expect(diagnosisSummary(undefined, 'internal_error', 5)).toMatchObject({
      outcome: 'internal_error',
      topCause: null,
      awsCalls: null,
    });
  });

  it('the AWS error behind a diagnosis that could not start', () => {
    expect(
      awsErrorOfUserError({ key: 'errors.account.assume-failed', params: { code: 'AccessDenied' } }),
    ).toEqual({
      api: 'sts:AssumeRole',
      code: 'AccessDenied',
    });
    expect(
      awsErrorOfUserError({ key: 'errors.task.denied', params: { action: 'ecs:DescribeTasks' } }),
    ).toEqual({
      api: 'ecs:DescribeTasks',
      kind: 'denied',
    });
    expect(awsErrorOfUserError({ key: 'errors.task.missing', params: {} })).toBeUndefined();
  });
});
