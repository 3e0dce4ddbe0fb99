/** Every fact provider, registered explicitly, one file per AWS service (or outside source). */
import { cloudTrailFacts } from './cloudtrail.js';
import { ec2Facts } from './ec2.js';
import { ecrFacts } from './ecr.js';
import { ecsFacts } from './ecs.js';
import { efsFacts } from './efs.js';
import { iamFacts } from './iam.js';
import { logsFacts } from './logs.js';
import { registryFacts } from './registry.js';
import { secretsKmsFacts } from './secrets-kms.js';
import type { FactProvider } from './session.js';

/** Providers by fact name. */
export const providers: ReadonlyMap<string, FactProvider> = new Map(
  (
    [
      ...ecsFacts,
      ...ec2Facts,
      ...ecrFacts,
      ...iamFacts,
      ...secretsKmsFacts,
      ...registryFacts,
      ...logsFacts,
      ...efsFacts,
      ...cloudTrailFacts,
    ] as FactProvider[]
  ).map((p) => [p.name, p]),
);

/** The facts the task context is derived from; always gathered. */
export const contextFactNames = ['ecs.task', 'ecs.taskDefinition', 'ec2.taskEni', 'ecs.service'] as const;
