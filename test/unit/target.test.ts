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
    expect(errorKey(() => parseTaskTarget(id))).toBe('errors.target.needs-cluster');
    expect(errorKey(() => parseTaskTarget(id, { region: 'eu-south-1' }))).toBe('errors.target.needs-cluster');
    expect(errorKey(() => parseTaskTarget(id, { cluster: 'payments' }))).toBe('errors.target.needs-region');
  });

  it('takes a bare id’s region from --region, then the default region', () => {
    expect(parseTaskTarget(id, { cluster: 'payments', defaultRegion: 'eu-south-1' }).region).toBe(
      'eu-south-1',
    );
    expect(
      parseTaskTarget(id, { cluster: 'payments', region: 'eu-west-1', defaultRegion: 'eu-south-1' }).region,
    ).toBe('eu-west-1');
    // An ARN names its own region.
    expect(parseTaskTarget(arn, { region: 'eu-west-1', defaultRegion: 'us-east-1' }).region).toBe(
      'eu-south-1',
    );
    const cn = parseTaskTarget(id, { cluster: 'c', defaultRegion: 'cn-north-1' });
    expect(cn.partition).toBe('aws-cn');
  });

  it('names an ARN cut before its task id as such, in either format', () => {
    for (const cut of [
      'arn:aws:ecs:eu-south-1:210987654321:task/',
      'arn:aws:ecs:eu-south-1:210987654321:task/payments/',
      'arn:aws:ecs:eu-south-1:210987654321:task',
    ])
      expect(errorKey(() => parseTaskTarget(cut, { cluster: 'payments' }))).toBe('errors.target.no-task-id');
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

describe('parseTaskTarget: console URLs and task/CLUSTER/ID', () => {
  const v2 = `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/${id}/configuration?region=eu-south-1`;

  it.each([
    ['the console (v2)', v2],
    [
      'the console (v2), another tab and parameters',
      `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/${id}/logs?region=eu-south-1&selectedContainer=app#x`,
    ],
    [
      'the console (v2) without region=',
      `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/${id}/health`,
    ],
    [
      'the older console',
      `https://eu-south-1.console.aws.amazon.com/ecs/home?region=eu-south-1#/clusters/payments/tasks/${id}/details`,
    ],
    [
      'the older console on the global host',
      `https://console.aws.amazon.com/ecs/home?region=eu-south-1#/clusters/payments/tasks/${id}/details`,
    ],
    ['wrapped by Slack, & escaped', `<${v2.replace('?', '?x=1&amp;')}|task>`],
  ])('%s', (_name, url) => {
    expect(parseTaskTarget(url, { region: 'us-east-1', defaultRegion: 'us-east-2' })).toEqual({
      partition: 'aws',
      region: 'eu-south-1',
      account: undefined,
      cluster: 'payments',
      taskId: id,
      taskArn: undefined,
    });
    expect(parseTaskTarget(url, { account: '210987654321' }).taskArn).toBe(arn);
  });

  it('an Identity Center shortcut gives the account too', () => {
    const portal = `https://my-org.awsapps.com/start/#/console?account_id=210987654321&role_name=OnCall&destination=${encodeURIComponent(v2)}`;
    expect(parseTaskTarget(portal).taskArn).toBe(arn);
    const china = `https://console.amazonaws.cn/ecs/v2/clusters/payments/tasks/${id}/configuration?region=cn-north-1`;
    expect(parseTaskTarget(china, { account: '210987654321' }).partition).toBe('aws-cn');
  });

  it('refuses other URLs, and a shortcut to anything but a console task page', () => {
    for (const url of [
      `https://example.com/ecs/v2/clusters/payments/tasks/${id}?region=eu-south-1`,
      `https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/web?region=eu-south-1`,
      `https://my-org.awsapps.com/start/#/console?account_id=210987654321&destination=${encodeURIComponent(`https://evil.example/clusters/payments/tasks/${id}?region=eu-south-1`)}`,
      `http://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/tasks/${id}?region=eu-south-1`,
    ])
      expect(
        errorKey(() => parseTaskTarget(url)),
        url,
      ).toBe('errors.target.not-task-url');
  });

  it('a console URL without a region takes --region, then the default one', () => {
    const global = `https://console.aws.amazon.com/ecs/v2/clusters/payments/tasks/${id}/configuration`;
    expect(errorKey(() => parseTaskTarget(global))).toBe('errors.target.needs-region');
    expect(parseTaskTarget(global, { defaultRegion: 'eu-south-1' }).region).toBe('eu-south-1');
  });

  it('task/CLUSTER/ID, with the account and region from the options', () => {
    const t = parseTaskTarget(`task/payments/${id}`, {
      defaultRegion: 'eu-south-1',
      account: '210987654321',
    });
    expect(t.taskArn).toBe(arn);
    expect(errorKey(() => parseTaskTarget(`task/payments/${id}`))).toBe('errors.target.needs-region');
    expect(errorKey(() => parseTaskTarget(`task/payments/${id}/x`, { region: 'eu-south-1' }))).toBe(
      'errors.target.not-arn',
    );
    expect(errorKey(() => parseTaskTarget(`task/${id}`, { region: 'eu-south-1' }))).toBe(
      'errors.target.not-arn',
    );
  });
});

describe('cleanReference', () => {
  it('strips nested wrappers but keeps the ARN intact', () => {
    expect(cleanReference(` ("<${arn}|x>"). `)).toBe(arn);
  });
});
