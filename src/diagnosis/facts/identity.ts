/** Identity, image and storage facts (execution role, ECR repository and images, secrets). */
import type { FactProvider } from './session.js';

export const identityFacts: FactProvider[] = [];
