import { aws, shellVar, structures } from '../../commands.js';
import { enableVpcDns, fixMessage, fixOf, IAC, one } from '../shared/commands.js';
import { okValue } from '../shared/fold.js';
import { defineCheck, results } from '../types.js';

const r = results('dns.dhcp-options');

/** The VPC's DHCP options give the task the Amazon-provided DNS (custom servers must forward AWS names to it). */
export const dhcpOptionsCheck = defineCheck(r, {
  cause: 'dns',
  needs: ['ec2.vpc', 'ec2.vpcDns', 'ec2.dhcpOptions'],
  commands(result, { context: ctx, facts }) {
    const vpc = facts.get('ec2.vpc');
    if (fixOf(result) === 'enable-dns-support')
      return enableVpcDns(ctx.region, vpc.vpcId, okValue(facts.raw('ec2.vpcDns')), {
        support: true,
        hostnames: false,
      });
    if (fixOf(result) !== 'amazon-first') return [];
    // New options with the Amazon resolver first (DHCP options cannot be changed, only replaced).
    const dhcp = facts.get('ec2.dhcpOptions');
    const others = dhcp.domainNameServers.filter((s) => s.toLowerCase() !== 'amazonprovideddns');
    const configurations: Array<Record<string, unknown>> = [
      { Key: 'domain-name-servers', Values: ['AmazonProvidedDNS', ...others].slice(0, 4) },
    ];
    if (dhcp.domainName) configurations.push({ Key: 'domain-name', Values: [dhcp.domainName] });
    return [
      one(
        aws(
          'ec2',
          'create-dhcp-options',
          {
            'dhcp-configurations': structures(configurations),
            query: 'DhcpOptions.DhcpOptionsId',
            output: 'text',
          },
          ctx.region,
        ),
        {
          assign: 'DHCP_OPTIONS_ID',
          iac: IAC.dhcpOptions,
          note: fixMessage('note.dhcp-replace', { dhcpOptionsId: dhcp.dhcpOptionsId }),
        },
      ),
      one(
        aws(
          'ec2',
          'associate-dhcp-options',
          { 'dhcp-options-id': shellVar('DHCP_OPTIONS_ID'), 'vpc-id': vpc.vpcId },
          ctx.region,
        ),
        { iac: IAC.dhcpAssociation },
      ),
    ];
  },
  run({ facts, links }) {
    const vpc = facts.get('ec2.vpc');
    // The resolver switch only refines the verdict: without it the servers alone decide.
    const dns = okValue(facts.raw('ec2.vpcDns'));
    const dhcp = facts.get('ec2.dhcpOptions');
    const servers = dhcp.domainNameServers;
    const evidence = [
      r.ev('servers', { dhcpOptionsId: dhcp.dhcpOptionsId, servers: servers.join(', ') || '—' }),
      r.ev('resolver', { vpcId: vpc.vpcId, support: String(dns?.enableDnsSupport ?? '?') }),
    ];
    const dhcpLinks = dhcp.dhcpOptionsId !== 'default' ? [links.dhcpOptions(dhcp.dhcpOptionsId)] : [];
    dhcpLinks.push(links.vpcDetails(vpc.vpcId));
    // The Amazon resolver by name, or by one of its addresses (VPC base + 2, 169.254.169.253, fd00:ec2::253).
    const resolvers = new Set([...vpc.cidrBlocks.map(resolverAddress), '169.254.169.253', 'fd00:ec2::253']);
    const isAmazon = (s: string) => s.toLowerCase() === 'amazonprovideddns' || resolvers.has(s);
    const amazon = servers.length > 0 && isAmazon(servers[0]!);
    const resolver = resolverAddress(vpc.cidrBlocks[0]);
    if (!amazon && servers.some(isAmazon)) {
      // The task asks the first server; a custom one that answers "no such name" is never retried elsewhere.
      return r.warn(
        'warn.custom-first',
        { dhcpOptionsId: dhcp.dhcpOptionsId, servers: servers.join(', '), first: servers[0]! },
        {
          evidence,
          links: dhcpLinks,
          remediation: r.fix('amazon-first', { dhcpOptionsId: dhcp.dhcpOptionsId, resolver }),
        },
      );
    }
    if (amazon && dns?.enableDnsSupport === false) {
      return r.fail(
        'fail.resolver-disabled',
        { vpcId: vpc.vpcId },
        {
          evidence,
          links: dhcpLinks,
          remediation: r.fix('enable-dns-support', { vpcId: vpc.vpcId }),
        },
      );
    }
    if (amazon) return r.pass('pass', { dhcpOptionsId: dhcp.dhcpOptionsId }, { evidence, links: dhcpLinks });
    return r.warn(
      'warn.custom',
      { dhcpOptionsId: dhcp.dhcpOptionsId, servers: servers.join(', ') || '—' },
      {
        evidence,
        links: dhcpLinks,
        remediation: r.fix('forward', { resolver }),
      },
    );
  },
});

/** The Route 53 Resolver address of a VPC: its primary CIDR base plus two (169.254.169.253 works too). */
function resolverAddress(cidr: string | undefined): string {
  const base = cidr?.split('/')[0]?.split('.').map(Number);
  if (base?.length !== 4 || base.some((n) => Number.isNaN(n))) return '169.254.169.253';
  return `${base[0]}.${base[1]}.${base[2]}.${base[3]! + 2}`;
}
