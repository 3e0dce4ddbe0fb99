import { type Check, type CheckResult, results } from '../types.js';
import { endpointsServe, subnetIdsOf, worstOf } from './common.js';
import { endpointCoverage, imagesServedByEndpoints, internetPath, taskImages } from './path.js';

const r = results('network.route');

/** Each task subnet's effective route table sends 0.0.0.0/0 to an active NAT or internet gateway, unless VPC endpoints carry the whole pull. */
export const routeCheck: Check = {
  id: 'network.route',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints', 'ec2.vpc'],
  run({ context: ctx, facts, links }) {
    const subnets = subnetIdsOf(ctx);
    if (!subnets) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const vpc = facts.optional('ec2.vpc');
    const external = taskImages(ctx).find((i) => i.ref?.kind !== 'ecr' || i.ref.ecr?.region !== ctx.region);
    return worstOf(
      subnets.map((subnetId): CheckResult => {
        const path = internetPath(subnetId, tables);
        if (path.kind === 'no-table' || !path.table) {
          return r.unknown('unknown.no-table', { subnetId }, { links: [links.subnet(subnetId)] });
        }
        const rt = path.table.routeTableId;
        const evidence = [
          r.ev(path.explicit ? 'route-table.explicit' : 'route-table.main', { subnetId, routeTableId: rt }),
          path.route
            ? r.ev('default-route', {
                routeTableId: rt,
                target: path.target?.id ?? '?',
                state: path.route.state ?? 'active',
              })
            : r.ev('no-default-route', { routeTableId: rt }),
        ];
        const extras = { evidence, links: [links.subnet(subnetId), links.routeTable(rt)] };
        const viaEndpoints = endpointsServe(ctx, subnetId, tables, endpoints, vpc);
        switch (path.kind) {
          case 'nat':
          case 'igw':
            return r.pass('pass.internet', { subnetId, routeTableId: rt, target: path.target!.id }, extras);
          case 'blackhole':
            if (viaEndpoints) {
              return r.warn(
                'warn.blackhole-endpoints',
                { subnetId, routeTableId: rt, target: path.target!.id },
                {
                  ...extras,
                  remediation: r.fix('replace-route', { routeTableId: rt, target: path.target!.id }),
                },
              );
            }
            return r.fail(
              'fail.blackhole',
              { subnetId, routeTableId: rt, target: path.target!.id },
              {
                ...extras,
                remediation: r.fix('replace-route', { routeTableId: rt, target: path.target!.id }),
              },
            );
          case 'custom':
            if (viaEndpoints) {
              return r.pass(
                'pass.endpoints-custom',
                { subnetId, routeTableId: rt, target: path.target!.id },
                extras,
              );
            }
            return r.warn(
              'warn.custom',
              { subnetId, routeTableId: rt, target: path.target!.id, kind: path.target!.kind },
              {
                ...extras,
                remediation: r.fix('verify-custom', { target: path.target!.id }),
              },
            );
          default:
            if (viaEndpoints) return r.pass('pass.endpoints-only', { subnetId, routeTableId: rt }, extras);
            // No internet route but ECR/S3 endpoints exist: the endpoint path is the design, and the endpoint
            // checks say what it lacks.
            if (imagesServedByEndpoints(ctx) && endpointCoverage(ctx, endpoints, false).present.length) {
              return r.skip('skip.endpoint-path', { subnetId, routeTableId: rt }, extras);
            }
            if (external && !imagesServedByEndpoints(ctx)) {
              return r.fail(
                'fail.none-external',
                { subnetId, routeTableId: rt, image: external.image },
                {
                  ...extras,
                  remediation: r.fix('add-route-external', { routeTableId: rt }),
                },
              );
            }
            return r.fail(
              'fail.none',
              { subnetId, routeTableId: rt },
              {
                ...extras,
                remediation: r.fix('add-route', { routeTableId: rt }),
              },
            );
        }
      }),
    );
  },
};
