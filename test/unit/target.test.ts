import { describe, expect, it } from 'vitest';
import { cleanReference, parseTaskTarget } from '../../src/aws/target.js';
import { UserError } from '../../src/errors.js';

const id = '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
const arn = `arn:aws:ecs:eu-south-1:210987654321:task/payments/${id}`;

function errorKey(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err.key;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('parseTaskTarget: task references people paste', () => {
  it('parses a new-format ARN', () => {
    expect(parseTaskTarget(arn)).toEqual({
      partition: 'aws',
      region: 'eu-south-1',
      account: '210987654321',
      cluster: 'payments',
      taskId: id,
      taskArn: arn,
    });
  });

  it.each([
    [`  ${arn}\n`],
    [`<${arn}>`],
    [`<${arn}|the task>`],
    [`${arn}.`],
    [`(${arn}),`],
    [`"${arn}"`],
    [`\`${arn}\``],
    [`“${arn}”`],
    [`${arn}…`],
  ])('tolerates what chat adds: %j', (input) => {
    expect(parseTaskTarget(input).taskArn).toBe(arn);
  });

  it('accepts the old ARN format with --cluster and keeps the ARN as given', () => {
    const old = 'arn:aws:ecs:us-east-1:123456789012:task/0b69d5c0-d655-4695-98cd-5d2d526d9d5a';
    const t = parseTaskTarget(old, { cluster: 'default' });
    expect(t.cluster).toBe('default');
    expect(t.taskId).toBe('0b69d5c0-d655-4695-98cd-5d2d526d9d5a');
    expect(t.taskArn).toBe(old);
    expect(errorKey(() => parseTaskTarget(old))).toBe('errors.target.old-format-needs-cluster');
  });

  it('knows the China and GovCloud partitions', () => {
    const cn = parseTaskTarget(`arn:aws-cn:ecs:cn-north-1:123456789012:task/prod/${id}`);
    expect(cn.partition).toBe('aws-cn');
    const gov = parseTaskTarget(`arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task/prod/${id}`);
    expect(gov.partition).toBe('aws-us-gov');
    expect(errorKey(() => parseTaskTarget(`arn:aws-cn:ecs:eu-west-1:123456789012:task/prod/${id}`))).toBe(
      'errors.target.partition-region',
    );
  });

  it('accepts a bare task id with cluster and region, and the account when given', () => {
    const t = parseTaskTarget(id.toUpperCase(), { cluster: 'payments', region: 'eu-south-1' });
    expect(t).toMatchObject({ taskId: id, cluster: 'payments', region: 'eu-south-1', account: undefined });
    expect(t.taskArn).toBeUndefined();
    const withAccount = parseTaskTarget(id, {
      cluster: 'payments',
      region: 'eu-south-1',
      account: '210987654321',
    });
    expect(withAccount.taskArn).toBe(arn);
    expect(errorKey(() => parseTaskTarget(id))).toBe('errors.target.bare-id-needs');
  });

  it.each([
    ['', 'errors.target.empty'],
    ['   ', 'errors.target.empty'],
    ['not-an-arn', 'errors.target.not-arn'],
    ['arn:aws:s3:::my-bucket/key', 'errors.target.not-ecs'],
    ['arn:aws:ecs:eu-south-1:210987654321:service/payments/checkout', 'errors.target.not-task'],
    ['arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:42', 'errors.target.not-task'],
    [`arn:aws:ecs:eu-south-1:21098765432:task/payments/${id}`, 'errors.target.bad-account'],
    [`arn:aws:ecs:europe:210987654321:task/payments/${id}`, 'errors.target.bad-region'],
    [`arn:aws:ecs:eu-south-1:210987654321:task/payments/not-a-task-id`, 'errors.target.bad-task-id'],
    [`arn:aws:ecs:eu-south-1:210987654321:task/pay ments/${id}`, 'errors.target.bad-cluster'],
    [`arn:aws:ecs:eu-south-1:210987654321:task/pay$ments/${id}`, 'errors.target.bad-cluster'],
    [`arn:aws-iso:ecs:eu-south-1:210987654321:task/payments/${id}`, 'errors.target.bad-partition'],
    [`arn:aws:ecs:eu-south-1:210987654321:task/a/b/${id}`, 'errors.target.not-task'],
  ])('rejects %j with %s', (input, key) => {
    expect(errorKey(() => parseTaskTarget(input))).toBe(key);
  });

  it('rejects input too long to be an ARN', () => {
    expect(errorKey(() => parseTaskTarget('x'.repeat(3000)))).toBe('errors.target.too-long');
  });

  it('validates --region, --cluster and --account', () => {
    expect(errorKey(() => parseTaskTarget(id, { cluster: 'c', region: 'moon-1' }))).toBe(
      'errors.target.bad-region',
    );
    expect(errorKey(() => parseTaskTarget(id, { cluster: 'c d', region: 'eu-west-1' }))).toBe(
      'errors.target.bad-cluster',
    );
    expect(errorKey(() => parseTaskTarget(id, { cluster: 'c', region: 'eu-west-1', account: '12' }))).toBe(
      'errors.target.bad-account',
    );
  });
});

describe('cleanReference', () => {
  it('strips nested wrappers but keeps the ARN intact', () => {
    expect(cleanReference(` ("<${arn}|x>"). `)).toBe(arn);
  });
});
