/** Every fact provider, registered explicitly by area. */
import { contextFacts } from './context.js';
import { identityFacts } from './identity.js';
import { networkFacts } from './network.js';
import type { FactProvider } from './session.js';

/** Providers by fact name. */
export const providers: ReadonlyMap<string, FactProvider> = new Map(
  ([...contextFacts, ...networkFacts, ...identityFacts] as FactProvider[]).map((p) => [p.name, p]),
);

/** The facts the task context is derived from; always gathered. */
export const contextFactNames = ['ecs.task', 'ecs.taskDefinition', 'ec2.taskEni', 'ecs.service'] as const;
