/** Network facts (subnets, route tables, gateways, security groups, NACLs, endpoints, DHCP). */
import type { FactProvider } from './session.js';

export const networkFacts: FactProvider[] = [];
