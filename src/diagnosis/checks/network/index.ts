/** Network path, VPC endpoint and DNS checks, registered in the order they are shown. */
import type { Check } from '../types.js';
import { dhcpOptionsCheck } from './dns-dhcp-options.js';
import { endpointAzCheck } from './endpoints-availability-zones.js';
import { endpointPolicyCheck } from './endpoints-policy.js';
import { privateDnsCheck } from './endpoints-private-dns.js';
import { requiredEndpointsCheck } from './endpoints-required.js';
import { s3RouteCheck } from './endpoints-s3-route.js';
import { endpointSecurityGroupsCheck } from './endpoints-security-groups.js';
import { naclCheck } from './nacl.js';
import { natGatewayCheck } from './nat-gateway.js';
import { publicIpCheck } from './public-ip.js';
import { routeCheck } from './route.js';
import { securityGroupEgressCheck } from './security-group-egress.js';

/** The network checks, in display order: the internet path, then the endpoint path, then DNS. */
export const networkChecks: readonly Check[] = [
  routeCheck,
  publicIpCheck,
  natGatewayCheck,
  securityGroupEgressCheck,
  naclCheck,
  requiredEndpointsCheck,
  endpointAzCheck,
  endpointSecurityGroupsCheck,
  endpointPolicyCheck,
  s3RouteCheck,
  privateDnsCheck,
  dhcpOptionsCheck,
];
