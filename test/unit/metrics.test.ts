/** Metrics: a diagnosis stopped by an AWS error (no report) still counts that error by API and code. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';

describe('Metrics.diagnosis', () => {
  it('counts the AWS error that stopped a diagnosis without a report', async () => {
    const m = new Metrics();
    m.diagnosis('command', 0.4, undefined, 'user_error', { api: 'sts:AssumeRole', code: 'AccessDenied' });
    m.diagnosis('alert', 0.2, undefined, 'user_error');
    const { body } = await m.text();
    expect(body).toContain('ecs_pull_aws_errors_total{api="sts:AssumeRole",code="AccessDenied"} 1');
    expect(body).toContain('ecs_pull_diagnoses_total{cause="none",outcome="user_error",surface="command"} 1');
    expect(body).toContain('ecs_pull_diagnoses_total{cause="none",outcome="user_error",surface="alert"} 1');
  });
});
