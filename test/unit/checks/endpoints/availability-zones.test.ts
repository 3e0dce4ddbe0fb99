import { describe, expect, it } from 'vitest';
import { endpointAzCheck } from '../../../../src/diagnosis/checks/endpoints/availability-zones.js';
import { denyFact, english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');

describe('endpoints.availability-zones: each interface endpoint the task uses has a subnet in the task’s zone', () => {
  it('passes when every endpoint has a subnet in eu-south-1a', async () => {
    const r = await runCheck(endpointAzCheck, ep());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('eu-south-1a');
    expect(evidenceText(r)).toContain('ecr.api vpce-0ecrapi00000000001: zones eu-south-1a, eu-south-1b');
  });

  it('warns for an endpoint only in another zone, naming it and the subnet to add', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[0]!.subnetIds = ['subnet-0b2c3d4e5f6a78901'];
    const r = await runCheck(endpointAzCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('ecr.api (vpce-0ecrapi00000000001)');
    expect(english(r.remediation!)).toContain('subnet-0a1b2c3d4e5f67890');
    expect(r.links.map((l) => l.id)).toContain('vpce-0ecrapi00000000001');
  });

  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(endpointAzCheck, nat())).status).toBe('skip');
  });

  it('is unknown when the task’s zone is unknown', async () => {
    const s = ep();
    delete value(s, 'ecs.task').task.availabilityZone;
    delete value(s, 'ec2.subnets')[0]!.availabilityZone;
    const r = await runCheck(endpointAzCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('endpoints:availability-zones.unknown.no-az');
  });

  it('without the task’s own zone (a pre-flight, a task rebuilt from its service), checks the zone of every task subnet', async () => {
    const s = ep();
    const task = value(s, 'ecs.task').task;
    delete task.availabilityZone;
    delete task.attachments;
    task.attachments = [
      {
        type: 'ElasticNetworkInterface',
        details: [
          { name: 'subnetId', value: 'subnet-0a1b2c3d4e5f67890' },
          { name: 'subnetId', value: 'subnet-0b2c3d4e5f6a78901' },
        ],
      },
    ];
    const [b] = value(s, 'ec2.vpcSubnets').filter((x) => x.subnetId === 'subnet-0b2c3d4e5f6a78901');
    value(s, 'ec2.subnets').push(b!);
    const both = await runCheck(endpointAzCheck, s);
    expect(both.status).toBe('pass');
    expect(english(both.message)).toContain('eu-south-1a, eu-south-1b');

    // Every endpoint only in eu-south-1a: a task landing in the second subnet crosses zones.
    for (const e of value(s, 'ec2.vpcEndpoints')) e.subnetIds = ['subnet-0a1b2c3d4e5f67890'];
    const r = await runCheck(endpointAzCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('eu-south-1b');
    expect(english(r.remediation!)).toContain('subnet-0b2c3d4e5f6a78901');
  });

  it('is unknown naming the action when the VPC subnets could not be read', async () => {
    const s = ep();
    denyFact(s, 'ec2.vpcSubnets', 'ec2:DescribeSubnets');
    const r = await runCheck(endpointAzCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ec2:DescribeSubnets');
  });
});
