/** Identity, image and storage checks, in the order they are shown. */
import type { Check } from '../types.js';

export const identityChecks: readonly Check[] = [];
