/** Network path, VPC endpoint and DNS checks, in the order they are shown. */
import type { Check } from '../types.js';

export const networkChecks: readonly Check[] = [];
