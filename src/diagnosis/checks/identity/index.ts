/** Identity, image and storage checks, in the order they are shown. */
import type { Check } from '../types.js';
import { executionRoleCheck } from './execution-role.js';
import { imageExistsCheck } from './image-exists.js';
import { imagePlatformCheck } from './image-platform.js';
import { imageReferenceCheck } from './image-reference.js';
import { rateLimitCheck } from './rate-limit.js';
import { registryCredentialsCheck } from './registry-credentials.js';
import { repositoryPolicyCheck } from './repository-policy.js';
import { secretsRetrievalCheck } from './secrets-retrieval.js';
import { ephemeralStorageCheck } from './storage-ephemeral.js';

export const identityChecks: readonly Check[] = [
  executionRoleCheck,
  imageReferenceCheck,
  imageExistsCheck,
  imagePlatformCheck,
  repositoryPolicyCheck,
  registryCredentialsCheck,
  rateLimitCheck,
  ephemeralStorageCheck,
  secretsRetrievalCheck,
];
