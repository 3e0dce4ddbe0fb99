/**
 * The pre-flight a service diagnosis runs when ECS shows no stopped task of the service: the task the service would
 * start now (its current task definition, its awsvpc network) through every check that needs no failed task
 * (diagnosis/preflight.ts), in the same account rules, deadline and shared answers as the diagnosis.
 */
import { preflight } from './preflight.js';
import type { ServicePreflightRunner } from './service.js';

export const servicePreflight: ServicePreflightRunner = async ({ target, requester }, deps) => {
  const { report } = await preflight(
    {
      account: target.account,
      region: target.region,
      partition: target.partition,
      cluster: target.cluster,
      service: target.service,
      requester,
    },
    deps,
  );
  return report;
};
