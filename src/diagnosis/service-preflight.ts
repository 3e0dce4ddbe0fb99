/** The pre-flight a service diagnosis runs when no stopped task is left (wired once diagnosis/preflight.ts lands). */
import type { ServicePreflightRunner } from './service.js';

export const servicePreflight: ServicePreflightRunner | undefined = undefined;
