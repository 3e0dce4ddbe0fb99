import { describe, expect, it } from 'vitest';
import { dhcpOptionsCheck } from '../../../../src/diagnosis/checks/dns/dhcp-options.js';
import { english, loadFacts, runCheck, value } from '../../../helpers/checks.js';

describe('dns.dhcp-options: the VPC’s DHCP options give the task the Amazon-provided DNS', () => {
  it('passes with AmazonProvidedDNS', async () => {
    expect((await runCheck(dhcpOptionsCheck, loadFacts('network/nat-path.json'))).status).toBe('pass');
  });
  it('passes a VPC with no DHCP options set (the Amazon-provided DNS)', async () => {
    const s = loadFacts('network/nat-path.json');
    Object.assign(value(s, 'ec2.dhcpOptions'), {
      dhcpOptionsId: 'default',
      domainNameServers: ['AmazonProvidedDNS'],
    });
    const r = await runCheck(dhcpOptionsCheck, s);
    expect(r.status).toBe('pass');
    expect(r.links.map((l) => l.kind)).toEqual(['vpc']);
  });
  it('warns on custom DNS servers and says where to forward', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.dhcpOptions').domainNameServers = ['10.40.0.10', '10.40.0.11'];
    const r = await runCheck(dhcpOptionsCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('10.40.0.10, 10.40.0.11');
    expect(english(r.remediation!)).toContain('10.40.0.2');
    expect(r.links[0]).toMatchObject({ kind: 'dhcp-options', id: 'dopt-0aa11bb22cc33dd44' });
  });
  it('passes the VPC resolver given by address', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.dhcpOptions').domainNameServers = ['10.40.0.2'];
    expect((await runCheck(dhcpOptionsCheck, s)).status).toBe('pass');
  });
  it('warns when a custom server comes before the Amazon resolver', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.dhcpOptions').domainNameServers = ['10.40.0.10', 'AmazonProvidedDNS'];
    const r = await runCheck(dhcpOptionsCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('dns:dhcp-options.warn.custom-first');
    expect(english(r.message)).toContain('asks 10.40.0.10 first');
    expect(english(r.remediation!)).toContain('dopt-0aa11bb22cc33dd44');
  });
  it('fails when the Amazon resolver is switched off', async () => {
    const s = loadFacts('network/nat-path.json');
    value(s, 'ec2.vpcDns').enableDnsSupport = false;
    expect((await runCheck(dhcpOptionsCheck, s)).status).toBe('fail');
  });
  it('is unknown when the DHCP options could not be read', async () => {
    const s = loadFacts('network/nat-path.json');
    s.facts['ec2.dhcpOptions'] = {
      ok: false,
      round: 4,
      error: {
        kind: 'denied',
        code: 'UnauthorizedOperation',
        message: 'x',
        action: 'ec2:DescribeDhcpOptions',
      },
    };
    const r = await runCheck(dhcpOptionsCheck, s);
    expect(r.status).toBe('unknown');
    expect(english(r.message)).toContain('ec2:DescribeDhcpOptions');
  });
});
