import { aws, shorthand } from '../../commands.js';
import { fixMessage, IAC, one } from '../shared/commands.js';
import { okValue, subnetIdsOf, worstOf } from '../shared/fold.js';
import { endpointPathComplete, internetPath } from '../shared/path.js';
import { type CheckResult, defineCheck, results } from '../types.js';

const r = results('network.public-ip');

/** A task in a subnet routed to an internet gateway has a public IP (assignPublicIp ENABLED); else it cannot reach the registry. */
export const publicIpCheck = defineCheck(r, {
  cause: 'network-no-public-ip',
  failedTask: 'refines',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints', 'ec2.vpcDns'],
  commands(result, { context: ctx }) {
    const groups = ctx.network.securityGroupIds;
    // The whole awsvpcConfiguration is replaced: without the task's subnets and groups it would lose them.
    if (result.status !== 'fail' || !ctx.network.subnetIds.length || !groups?.length) return [];
    const network = shorthand({
      awsvpcConfiguration: {
        subnets: ctx.network.subnetIds,
        securityGroups: groups,
        assignPublicIp: 'ENABLED',
      },
    });
    if (ctx.serviceName) {
      return [
        one(
          aws(
            'ecs',
            'update-service',
            { cluster: ctx.cluster, service: ctx.serviceName, 'network-configuration': network },
            ctx.region,
          ),
          { iac: IAC.serviceNetwork },
        ),
      ];
    }
    const td = ctx.taskDefinition;
    const ref = td?.family && td.revision ? `${td.family}:${td.revision}` : ctx.taskDefinitionArn;
    if (!ref) return [];
    const version = ctx.platformVersion && ctx.platformVersion !== 'LATEST' ? ctx.platformVersion : undefined;
    return [
      one(
        aws(
          'ecs',
          'run-task',
          {
            cluster: ctx.cluster,
            'task-definition': ref,
            'launch-type': 'FARGATE',
            'platform-version': version,
            'network-configuration': network,
          },
          ctx.region,
        ),
        { note: fixMessage('note.new-task') },
      ),
    ];
  },
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    // Without the DNS attributes the endpoints are taken to resolve; endpoints.private-dns says it is unknown.
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const origin = ctx.origins.publicIp;
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const path = internetPath(subnetId, tables);
        if (path.kind !== 'igw') return r.skip('skip.not-igw', { subnetId });
        const igw = path.target!.id;
        const base = [
          r.ev('igw-route', { subnetId, routeTableId: path.table!.routeTableId, igw }),
          r.ev(`assign-public-ip.${origin === 'eni' || origin === 'service' ? origin : 'unknown'}`, {
            value: ctx.network.assignPublicIp ?? '?',
          }),
        ];
        const ownLinks = [
          links.subnet(subnetId),
          links.routeTable(path.table!.routeTableId),
          links.internetGateway(igw),
        ];
        if (ctx.serviceName) ownLinks.push(links.service(ctx.cluster, ctx.serviceName));
        if (endpointPathComplete(ctx, subnetId, tables, endpoints, dns)) {
          return r.skip('skip.endpoints', { subnetId }, { evidence: base });
        }
        if (ctx.network.publicIp) {
          return r.pass(
            'pass.assigned',
            { subnetId, ip: ctx.network.publicIp },
            { evidence: base, links: ownLinks },
          );
        }
        if (ctx.network.assignPublicIp === 'ENABLED') {
          return r.pass('pass.enabled', { subnetId }, { evidence: base, links: ownLinks });
        }
        if (ctx.network.assignPublicIp === 'DISABLED') {
          return r.fail(
            'fail.disabled',
            { subnetId, igw },
            {
              evidence: base,
              links: ownLinks,
              remediation: ctx.serviceName
                ? r.fix('enable-service', { service: ctx.serviceName })
                : r.fix('enable-task', {}),
            },
          );
        }
        return r.unknown('unknown.no-evidence', { subnetId }, { evidence: base, links: ownLinks });
      }),
    );
  },
});
