import { describe, expect, it } from 'vitest';
import { endpointAzCheck } from '../../../../src/diagnosis/checks/endpoints/availability-zones.js';
import { endpointPolicyCheck } from '../../../../src/diagnosis/checks/endpoints/policy.js';
import { privateDnsCheck } from '../../../../src/diagnosis/checks/endpoints/private-dns.js';
import { requiredEndpointsCheck } from '../../../../src/diagnosis/checks/endpoints/required.js';
import { s3RouteCheck } from '../../../../src/diagnosis/checks/endpoints/s3-route.js';
import { endpointSecurityGroupsCheck } from '../../../../src/diagnosis/checks/endpoints/security-groups.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const ep = () => loadFacts('network/endpoint-path.json');
const nat = () => loadFacts('network/nat-path.json');
const without = (s: ReturnType<typeof ep>, suffix: string) =>
  setFact(
    s,
    'ec2.vpcEndpoints',
    value(s, 'ec2.vpcEndpoints').filter((e) => !e.serviceName.endsWith(suffix)),
  );

describe('endpoints.required: the VPC has the endpoints the platform version needs', () => {
  it('passes the complete set on platform 1.4.0', async () => {
    const r = await runCheck(requiredEndpointsCheck, ep());
    expect(r.status).toBe('pass');
    expect(english(r.message)).toContain('ecr.dkr, ecr.api, s3, logs, secretsmanager');
  });

  it('names ecr.api and the S3 gateway when only ecr.dkr exists on 1.4.0', async () => {
    const s = ep();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(s, 'ec2.vpcEndpoints').filter((e) => e.serviceName.endsWith('ecr.dkr')),
    );
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('fail');
    const text = english(r.message);
    expect(text).toContain('com.amazonaws.eu-south-1.ecr.api (Interface)');
    expect(text).toContain('com.amazonaws.eu-south-1.s3 (Gateway)');
    expect(text).toContain('com.amazonaws.eu-south-1.logs');
  });

  it('does not need ecr.api on platform 1.3.0', async () => {
    const s = ep();
    without(s, 'ecr.api');
    value(s, 'ecs.task').task.platformVersion = '1.3.0';
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('pass');
    expect(english(r.message)).not.toContain('ecr.api');
  });

  it('accepts an S3 interface endpoint with private DNS instead of the gateway', async () => {
    const s = ep();
    const eps = value(s, 'ec2.vpcEndpoints');
    const gw = eps.find((e) => e.type === 'Gateway')!;
    Object.assign(gw, { type: 'Interface', privateDnsEnabled: true, routeTableIds: [] });
    expect((await runCheck(requiredEndpointsCheck, s)).status).toBe('pass');
  });

  it('only notes missing endpoints when an internet path exists', async () => {
    const s = nat();
    setFact(
      s,
      'ec2.vpcEndpoints',
      value(ep(), 'ec2.vpcEndpoints').filter((e) => e.serviceName.endsWith('ecr.dkr')),
    );
    const r = await runCheck(requiredEndpointsCheck, s);
    expect(r.status).toBe('pass');
    expect(r.message.key).toBe('endpoints:required.pass.partial-internet');
  });

  it('does not apply on an internet path without ECR endpoints', async () => {
    expect((await runCheck(requiredEndpointsCheck, nat())).message.key).toBe(
      'endpoints:required.skip.internet',
    );
  });

  it('does not apply to an image outside ECR', async () => {
    const s = nat();
    value(s, 'ecs.task').task.containers![0]!.image = 'ghcr.io/acme/checkout:2';
    expect((await runCheck(requiredEndpointsCheck, s)).status).toBe('skip');
  });
});

describe('endpoints.availability-zones: each interface endpoint has a subnet in the task zone', () => {
  it('passes when every endpoint has eu-south-1a', async () => {
    expect((await runCheck(endpointAzCheck, ep())).status).toBe('pass');
  });
  it('warns for an endpoint only in another zone', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[0]!.subnetIds = ['subnet-0b2c3d4e5f6a78901'];
    const r = await runCheck(endpointAzCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('ecr.api (vpce-0ecrapi00000000001)');
  });
  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(endpointAzCheck, nat())).status).toBe('skip');
  });
});

describe('endpoints.security-groups: endpoint security groups let 443 in from the task', () => {
  it('passes when the endpoint group allows the VPC range', async () => {
    expect((await runCheck(endpointSecurityGroupsCheck, ep())).status).toBe('pass');
  });
  it('fails when the endpoint group does not allow 443 from the task', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrs: ['192.168.0.0/16'],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: [],
      },
    ];
    const r = await runCheck(endpointSecurityGroupsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('vpce-0ecrdkr00000000001');
    expect(english(r.remediation!)).toContain('sg-0endpoint000000001');
    expect(r.links[0]).toMatchObject({ kind: 'security-group', id: 'sg-0endpoint000000001' });
  });
  it('accepts a rule referencing the task security group', async () => {
    const s = ep();
    value(s, 'ec2.securityGroups')[1]!.ingress = [
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrs: [],
        ipv6Cidrs: [],
        prefixListIds: [],
        groupIds: ['sg-0c1d2e3f4a5b6c7d8'],
      },
    ];
    expect((await runCheck(endpointSecurityGroupsCheck, s)).status).toBe('pass');
  });
  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(endpointSecurityGroupsCheck, nat())).status).toBe('skip');
  });
});

describe('endpoints.policy: endpoint policies allow the pull (evaluated, not grepped)', () => {
  it('passes the full-access ECR policies and the documented S3 layer-bucket policy', async () => {
    const r = await runCheck(endpointPolicyCheck, ep());
    expect(r.status).toBe('pass');
  });
  it('fails an S3 policy that allows only the team bucket', async () => {
    const s = ep();
    const gw = value(s, 'ec2.vpcEndpoints').find((e) => e.type === 'Gateway')!;
    gw.policyDocument = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::acme-artifacts', 'arn:aws:s3:::acme-artifacts/*'],
        },
      ],
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('arn:aws:s3:::prod-eu-south-1-starport-layer-bucket/*');
  });
  it('fails an ECR policy that denies BatchGetImage on the repository explicitly', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.policyDocument = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'ecr:BatchGetImage',
          Resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/checkout',
        },
      ],
    });
    const r = await runCheck(endpointPolicyCheck, s);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toContain(
      'ecr:BatchGetImage on arn:aws:ecr:eu-south-1:210987654321:repository/checkout is explicitly denied',
    );
  });
  it('allows a condition that matches (a wildcard repository policy is not a string match)', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.policyDocument = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: ['ecr:Batch*', 'ecr:Get*'],
          Resource: 'arn:aws:ecr:eu-south-1:210987654321:repository/check*',
        },
      ],
    });
    const r = await runCheck(endpointPolicyCheck, s);
    // GetAuthorizationToken needs Resource "*": the repository-scoped statement does not cover it.
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr:GetAuthorizationToken');
  });
  it('does not apply without ECR or S3 endpoints', async () => {
    expect((await runCheck(endpointPolicyCheck, nat())).status).toBe('skip');
  });
});

describe('endpoints.s3-route: the S3 gateway endpoint is on the task subnet route table', () => {
  it('passes when attached', async () => {
    expect((await runCheck(s3RouteCheck, ep())).status).toBe('pass');
  });
  it('fails when not attached and there is no internet path', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints').find((e) => e.type === 'Gateway')!.routeTableIds = ['rtb-0public0000000001'];
    const r = await runCheck(s3RouteCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.remediation!)).toContain('rtb-0private000000001');
  });
  it('does not apply without an S3 gateway endpoint', async () => {
    expect((await runCheck(s3RouteCheck, nat())).status).toBe('skip');
  });
});

describe('endpoints.private-dns: interface endpoints resolve privately', () => {
  it('passes with private DNS and VPC DNS attributes on', async () => {
    expect((await runCheck(privateDnsCheck, ep())).status).toBe('pass');
  });
  it('fails without private DNS on an endpoint-only path', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.privateDnsEnabled = false;
    const r = await runCheck(privateDnsCheck, s);
    expect(r.status).toBe('fail');
    expect(english(r.message)).toContain('ecr.dkr (vpce-0ecrdkr00000000001)');
  });
  it('fails when the VPC has DNS hostnames off', async () => {
    const s = ep();
    value(s, 'ec2.vpc').enableDnsHostnames = false;
    expect((await runCheck(privateDnsCheck, s)).message.key).toBe(
      'endpoints:private-dns.fail.vpc-attributes',
    );
  });
  it('only warns when an internet path exists', async () => {
    const s = ep();
    value(s, 'ec2.vpcEndpoints')[1]!.privateDnsEnabled = false;
    value(s, 'ec2.routeTables')[1]!.routes.push({
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: 'nat-0123abcd4567ef890',
      state: 'active',
    });
    expect((await runCheck(privateDnsCheck, s)).status).toBe('warn');
  });
  it('does not apply without interface endpoints', async () => {
    expect((await runCheck(privateDnsCheck, nat())).status).toBe('skip');
  });
});
