/**
 * The AWS SDK's clients are created when their first command is sent (src/aws/sdk.ts): a client set costs nothing
 * until then, a command goes only to its own service's client, and a sent command reaches AWS as the SDK's own
 * (the fact tests send every command through nock; here one, with its output typed and returned as the SDK gives it).
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/aws/clients.js';
import { DescribeSubnetsCommand } from '../../src/aws/sdk/ec2.js';
import { DescribeTasksCommand } from '../../src/aws/sdk/ecs.js';
import { STATIC_CREDENTIALS, unitConfig, useNock } from '../helpers/unit.js';

useNock();

describe('lazy SDK clients', () => {
  const pool = () => new ClientPool(unitConfig(), { baseCredentials: async () => STATIC_CREDENTIALS });

  it('a client set creates no SDK client until a command is sent', () => {
    const clients = pool().get('210987654321', 'eu-west-1', 'aws', 'tester');
    for (const c of [clients.ecs, clients.ec2, clients.ecr, clients.iam, clients.kms, clients.ssm])
      expect(c.created).toBe(false);
  });

  it('refuses a command of another service', async () => {
    const clients = pool().get('210987654321', 'eu-west-1', 'aws', 'tester');
    await expect(clients.ec2.send(new DescribeTasksCommand({ tasks: ['x'] }))).rejects.toThrow(
      'DescribeTasksCommand is not a command of ec2',
    );
    expect(new DescribeSubnetsCommand({ SubnetIds: ['subnet-1'] }).input).toEqual({
      SubnetIds: ['subnet-1'],
    });
  });

  it('sends the SDK command with its input and returns its output', async () => {
    let sent: unknown;
    const scope = nock('https://ecs.eu-west-1.amazonaws.com')
      .post('/', (body) => {
        sent = body;
        return true;
      })
      .reply(200, { tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:210987654321:task/prod/abc' }], failures: [] });
    // The default credentials (no role to assume): one request, the one sent.
    const clients = pool().get(undefined, 'eu-west-1', 'aws', 'tester');
    const out = await clients.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: ['abc'] }));
    expect(out.tasks?.[0]?.taskArn).toBe('arn:aws:ecs:eu-west-1:210987654321:task/prod/abc');
    expect(sent).toEqual({ cluster: 'prod', tasks: ['abc'] });
    expect(clients.ecs.created).toBe(true);
    expect(clients.ec2.created).toBe(false);
    scope.done();
  });
});
