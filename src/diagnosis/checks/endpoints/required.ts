import { imagesOf } from '../../task-refs.js';
import { createEndpoints, param } from '../shared/commands.js';
import { okValue } from '../shared/fold.js';
import {
  endpointCoverage,
  endpointServiceName,
  endpointsNamed,
  imagesServedByEndpoints,
  taskHasInternetPath,
} from '../shared/path.js';
import { defineCheck, type Message, results } from '../types.js';

const r = results('endpoints.required');

/** The VPC has the endpoints the platform version needs (ecr.dkr, ecr.api from 1.4.0, the S3 gateway; logs and secrets services when there is no internet path). */
export const requiredEndpointsCheck = defineCheck(r, {
  cause: 'vpc-endpoint',
  needs: ['ec2.subnets', 'ec2.routeTables', 'ec2.vpcEndpoints'],
  commands(result, { context: ctx, facts }) {
    const vpcId = param(result.remediation, 'vpcId');
    if (result.status !== 'fail' || !vpcId) return [];
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const missing = endpointCoverage(ctx, endpoints, !taskHasInternetPath(ctx, tables)).missing;
    const subnets = okValue(facts.raw('ec2.subnets'));
    return createEndpoints(ctx, missing, { vpcId, tables, endpoints, subnets });
  },
  run({ context: ctx, facts, links }) {
    if (!ctx.network.subnetIds.length) return r.unknown('unknown.no-subnets');
    const tables = facts.get('ec2.routeTables');
    const endpoints = facts.get('ec2.vpcEndpoints');
    const internet = taskHasInternetPath(ctx, tables);
    if (!imagesServedByEndpoints(ctx)) {
      // VPC endpoints only lead to this region's ECR: Docker Hub, ghcr.io, ECR Public or another region's ECR
      // can only come over the internet path.
      const image =
        imagesOf(ctx.containers).find((i) => i.ref?.kind !== 'ecr' || i.ref.ecr?.region !== ctx.region)
          ?.image ?? '?';
      return r.skip(internet ? 'skip.not-ecr' : 'skip.not-ecr-no-internet', { image });
    }
    const cov = endpointCoverage(ctx, endpoints, !internet);
    if (internet && cov.present.length === 0) return r.skip('skip.internet');
    const evidence: Message[] = [
      r.ev('platform', {
        version: ctx.effectivePlatformVersion,
        needed: cov.required.map((q) => q.service).join(', '),
      }),
      ...cov.present.flatMap(({ req, endpoints: eps }) =>
        eps.map((e) =>
          r.ev('present', {
            service: req.service,
            endpointId: e.vpcEndpointId,
            type: e.type,
            state: e.state ?? '?',
          }),
        ),
      ),
      // The missing ones are named in the message (and the fix); an endpoint that exists but is not available
      // (pending, failed, rejected …) carries nothing, and says so here.
      ...cov.missing.flatMap((m) =>
        endpointsNamed(endpoints, ctx.region, m.service).map((e) =>
          r.ev('not-available', { endpointId: e.vpcEndpointId, type: e.type, state: e.state ?? '?' }),
        ),
      ),
    ];
    const epLinks = cov.present.flatMap(({ endpoints: eps }) =>
      eps.map((e) => links.endpoint(e.vpcEndpointId)),
    );
    const vpcId = facts.optional('ec2.subnets')?.[0]?.vpcId;
    if (vpcId) epLinks.push(links.vpcDetails(vpcId));
    if (!cov.missing.length) {
      return r.pass(
        'pass.all',
        { services: cov.required.map((q) => q.service).join(', ') },
        { evidence, links: epLinks },
      );
    }
    const missing = cov.missing
      .map((m) => `${endpointServiceName(ctx.region, m.service)} (${m.type})`)
      .join(', ');
    if (internet) return r.pass('pass.partial-internet', { missing }, { evidence, links: epLinks });
    // Only what the task needs to start (logs, secrets) is missing, not the pull's own: the verdict says so.
    const startOnly = cov.missing.every(
      (m) => m.reason !== 'pull' && m.reason !== 'auth' && m.reason !== 'layers',
    );
    return r.fail(
      'fail.missing',
      { missing, version: ctx.effectivePlatformVersion, ...(startOnly ? { startMissing: missing } : {}) },
      {
        evidence,
        links: epLinks,
        remediation: r.fix('create', { missing, vpcId: vpcId ?? '?' }),
      },
    );
  },
});
