/**
 * Network scenarios end to end: real VPC layouts in moto, the whole engine in-process, and the first failing
 * (or warning) check of the report.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { renderText } from '../../src/render/text.js';
import { createExecutionRole, motoAccount, runStoppedTask, type TaskSpec } from '../helpers/aws-scenario.js';
import { english } from '../helpers/checks.js';
import { diagnoseInMoto, useMotoEndpoint } from '../helpers/moto-engine.js';
import {
  customDns,
  deleteNat,
  denyHttpsAcl,
  endpointPath,
  type Layout,
  natPath,
  privateOnly,
  publicSubnet,
  revokeEgress,
} from '../helpers/network-scenario.js';

const motoUrl = inject('motoUrl');
const networkIds = new Set([
  'network.route',
  'network.public-ip',
  'network.nat-gateway',
  'network.security-group-egress',
  'network.nacl',
  'endpoints.required',
  'endpoints.availability-zones',
  'endpoints.security-groups',
  'endpoints.policy',
  'endpoints.s3-route',
  'endpoints.private-dns',
  'dns.dhcp-options',
]);

function networkChecks(report: Report): CheckResult[] {
  return report.checks.filter((c) => networkIds.has(c.id));
}
function firstProblem(report: Report, statuses = ['fail']): CheckResult | undefined {
  return networkChecks(report).find((c) => statuses.includes(c.status));
}

let n = 0;
/** A fresh account per scenario: moto keeps them apart. */
async function scenario(
  build: (a: Awaited<ReturnType<typeof motoAccount>>) => Promise<Layout>,
  spec: TaskSpec = {},
) {
  n++;
  const account = `31${String(Date.now()).slice(-6)}${String(n).padStart(4, '0')}`;
  const a = await motoAccount(motoUrl!, account);
  const net = await build(a);
  const task = await runStoppedTask(a, net, { executionRoleArn: await createExecutionRole(a), ...spec });
  const { report } = await diagnoseInMoto(motoUrl!, task.taskArn);
  return { a, net, task, report };
}

describe.skipIf(!motoUrl)(
  `network scenarios on moto${motoUrl ? '' : ` (${inject('motoMissingReason')})`}`,
  () => {
    beforeAll(() => useMotoEndpoint(motoUrl!));

    it('a private subnet with no NAT and no endpoints → network.route fails', async () => {
      const { report, net } = await scenario(privateOnly);
      const top = firstProblem(report)!;
      expect(top.id).toBe('network.route');
      expect(english(top.message)).toContain(net.subnetId);
      expect(report.checks.find((c) => c.id === 'network.public-ip')?.status).toBe('skip');
    });

    it('a public subnet through an internet gateway without a public IP → network.public-ip fails', async () => {
      const { report, net } = await scenario(publicSubnet, { service: 'web', assignPublicIp: 'DISABLED' });
      const top = firstProblem(report)!;
      expect(top.id).toBe('network.public-ip');
      expect(english(top.message)).toContain(net.igwId!);
      expect(english(top.remediation!)).toContain('web');
      // moto does not show assignPublicIp on the ENI: the service's configuration says DISABLED.
      expect(report.context.origins.publicIp).toBe('service');
      expect(top.links.map((l) => l.id)).toEqual(expect.arrayContaining([net.subnetId, net.igwId!]));
      expect(report.checks.find((c) => c.id === 'network.route')?.status).toBe('pass');
    });

    it('ecr.dkr only on platform 1.4.0 → endpoints.required names ecr.api and the S3 gateway', async () => {
      const { report } = await scenario((a) =>
        endpointPath(a, { interfaces: ['ecr.dkr'], s3Gateway: false }),
      );
      const top = firstProblem(report)!;
      expect(top.id).toBe('endpoints.required');
      const text = english(top.message);
      expect(text).toContain('com.amazonaws.eu-west-1.ecr.api (Interface)');
      expect(text).toContain('com.amazonaws.eu-west-1.s3 (Gateway)');
      expect(text).not.toContain('ecr.dkr (Interface)');
      // The subnet is built for the endpoint path: no NAT is asked for, the endpoint check names what is missing.
      const route = report.checks.find((c) => c.id === 'network.route')!;
      expect(route.message.key).toBe('network:route.skip.endpoint-path');
    });

    it('an endpoint security group without 443 from the task → endpoints.security-groups fails', async () => {
      const { report, net } = await scenario((a) =>
        endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true, endpointIngress: false }),
      );
      const top = firstProblem(report)!;
      expect(top.id).toBe('endpoints.security-groups');
      expect(english(top.message)).toContain(net.endpointIds['ecr.dkr']!);
      expect(english(top.remediation!)).toContain(net.endpointSgId!);
      expect(top.links.some((l) => l.id === net.endpointSgId)).toBe(true);
    });

    it('a task security group with no egress → network.security-group-egress fails', async () => {
      const { report, net } = await scenario(async (a) => {
        const layout = await natPath(a);
        await revokeEgress(a, layout.securityGroupId);
        return layout;
      });
      const top = firstProblem(report)!;
      expect(top.id).toBe('network.security-group-egress');
      expect(english(top.message)).toContain(net.securityGroupId);
      expect(english(top.remediation!)).toContain(`${net.securityGroupId}: TCP 443 to 0.0.0.0/0`);
    });

    it('a network ACL denying 443 → network.nacl fails', async () => {
      let acl = '';
      const { report } = await scenario(async (a) => {
        const layout = await natPath(a);
        acl = await denyHttpsAcl(a, layout);
        return layout;
      });
      const top = firstProblem(report)!;
      expect(top.id).toBe('network.nacl');
      expect(top.message.key).toBe('network:nacl.fail.task-out-443');
      expect(top.links.map((l) => l.id)).toContain(acl);
      expect(english(top.message)).toContain(acl);
      expect(english(top.message)).toContain('rule 90');
    });

    it('a deleted NAT gateway → network.nat-gateway fails naming it and its state', async () => {
      let nat = '';
      const { report } = await scenario(async (a) => {
        const layout = await natPath(a);
        nat = layout.natGatewayId!;
        await deleteNat(a, nat);
        return layout;
      });
      const top = firstProblem(report)!;
      expect(top.id).toBe('network.nat-gateway');
      expect(english(top.message)).toContain(`${nat} is deleted`);
      expect(top.links.map((l) => l.id)).toContain(nat);
      expect(english(top.remediation!)).toMatch(
        /Create a NAT gateway in a public subnet and point the 0\.0\.0\.0\/0 route of rtb-/,
      );
    });

    it('a custom DHCP options set → dns.dhcp-options warns', async () => {
      let dopt = '';
      const { report } = await scenario(async (a) => {
        const layout = await natPath(a);
        dopt = await customDns(a, layout.vpcId, ['10.0.0.53']);
        return layout;
      });
      expect(firstProblem(report)).toBeUndefined();
      const top = firstProblem(report, ['fail', 'warn'])!;
      expect(top.id).toBe('dns.dhcp-options');
      expect(english(top.message)).toContain(dopt);
      expect(english(top.message)).toContain('10.0.0.53');
      expect(english(top.remediation!)).toContain('10.0.0.2');
    });

    it('a healthy NAT path → every network check passes', async () => {
      const { report, net } = await scenario(natPath);
      const checks = networkChecks(report);
      expect(checks).toHaveLength(12);
      expect(
        checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => `${c.id}:${c.status}`),
      ).toEqual([]);
      const nat = checks.find((c) => c.id === 'network.nat-gateway')!;
      expect(nat.status).toBe('pass');
      expect(english(nat.message)).toContain(net.natGatewayId!);
    });

    it('a healthy endpoint-only path → every network check passes', async () => {
      const { report } = await scenario((a) =>
        endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true }),
      );
      const checks = networkChecks(report);
      expect(
        checks.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((c) => `${c.id}:${c.status}`),
      ).toEqual([]);
      expect(checks.find((c) => c.id === 'network.route')?.message.key).toBe(
        'network:route.pass.endpoints-only',
      );
      for (const id of [
        'endpoints.required',
        'endpoints.security-groups',
        'endpoints.policy',
        'endpoints.s3-route',
        'endpoints.private-dns',
      ]) {
        expect(checks.find((c) => c.id === id)?.status, id).toBe('pass');
      }
    });

    it('shows the checks, the resource ids and the fix in both languages', async () => {
      const { report, net } = await scenario(privateOnly);
      const rt = report.checks.find((c) => c.id === 'network.route')!.message.params!.routeTableId as string;
      expect(rt).toMatch(/^rtb-/);
      const en = renderText(report, translator('en'));
      expect(en).toContain('Route to the internet (network.route)');
      expect(en).toContain(`Subnet ${net.subnetId} has no route to the internet (route table ${rt}`);
      expect(en).toContain(`Subnet ${net.subnetId} → route table ${rt} (the VPC's main table`);
      expect(en).toMatch(new RegExp(`Fix: .*${rt}.*NAT gateway`));
      expect(en).toContain(`#SubnetDetails:subnetId=${net.subnetId}`);
      expect(en).toContain(`#RouteTableDetails:RouteTableId=${rt}`);
      const it_ = renderText(report, translator('it'));
      expect(it_).toContain('Route verso Internet (network.route)');
      expect(it_).toContain(
        `La sottorete ${net.subnetId} non ha una route verso Internet (nella tabella di routing ${rt}`,
      );
      expect(it_).toContain(`tabella di routing ${rt} (la tabella principale del VPC`);
      expect(it_).toMatch(new RegExp(`Soluzione: .*${rt}.*gateway NAT`));
      expect(it_).toContain(`#RouteTableDetails:RouteTableId=${rt}`);
    });

    it('gathers the network facts in at most four rounds after the role session, each call once', async () => {
      const { report } = await scenario((a) =>
        endpointPath(a, { interfaces: ['ecr.api', 'ecr.dkr'], s3Gateway: true }),
      );
      const calls = report.aws.calls.filter((c) => c.api.startsWith('ec2:'));
      const count = (api: string) => calls.filter((c) => c.api === api).length;
      // Two DescribeSubnets (the task's subnets by id, then the VPC's for the endpoints), two attributes.
      expect(count('ec2:DescribeSubnets')).toBe(2);
      expect(count('ec2:DescribeVpcAttribute')).toBe(2);
      for (const api of [
        'ec2:DescribeVpcs',
        'ec2:DescribeRouteTables',
        'ec2:DescribeNatGateways',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeVpcEndpoints',
        'ec2:DescribePrefixLists',
      ]) {
        expect(count(api), api).toBe(1);
      }
      const session = report.aws.calls.find((c) => c.api === 'sts:AssumeRole')?.round ?? 0;
      expect(Math.max(...calls.map((c) => c.round)) - session).toBeLessThanOrEqual(4);
      // What changed is looked up in CloudTrail in one more round, after the checks (test/e2e/changes.test.ts).
      const gathered = report.aws.calls.filter((c) => c.api !== 'cloudtrail:LookupEvents');
      expect(Math.max(...gathered.map((c) => c.round)) - session).toBeLessThanOrEqual(4);
      expect(report.aws.rounds - session).toBeLessThanOrEqual(5);
    });
  },
);
