import { describe, expect, it } from 'vitest';
import { naclCheck } from '../../../../src/diagnosis/checks/network/nacl.js';
import type { NaclEntryRecord } from '../../../../src/diagnosis/facts/network.js';
import { english, evidenceText, loadFacts, runCheck, value } from '../../../helpers/checks.js';

function withEntries(entries: NaclEntryRecord[], fixture = 'network/nat-path.json') {
  const s = loadFacts(fixture);
  value(s, 'ec2.networkAcls')[0]!.entries = entries;
  return s;
}
const finalDeny: NaclEntryRecord[] = [
  { ruleNumber: 32767, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
  { ruleNumber: 32767, egress: false, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
];
const allowAllIn: NaclEntryRecord = {
  ruleNumber: 100,
  egress: false,
  protocol: '-1',
  ruleAction: 'allow',
  cidrBlock: '0.0.0.0/0',
};

describe('network.nacl: the subnet network ACL lets 443 out and the replies back, in rule order', () => {
  it('passes the default allow-all ACL', async () => {
    const r = await runCheck(naclCheck, loadFacts('network/nat-path.json'));
    expect(r.status).toBe('pass');
    expect(evidenceText(r)).toContain('Outbound TCP 443 → 0.0.0.0/0: allowed (rule 100)');
  });

  it('fails when a lower-numbered rule denies 443 out, even with a later allow', async () => {
    const s = withEntries([
      {
        ruleNumber: 90,
        egress: true,
        protocol: '6',
        ruleAction: 'deny',
        cidrBlock: '0.0.0.0/0',
        portRange: { from: 443, to: 443 },
      },
      { ruleNumber: 100, egress: true, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
      allowAllIn,
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.egress');
    expect(english(r.message)).toContain('rule 90');
  });

  it('passes when the allow comes before the deny', async () => {
    const s = withEntries([
      {
        ruleNumber: 100,
        egress: true,
        protocol: '6',
        ruleAction: 'allow',
        cidrBlock: '0.0.0.0/0',
        portRange: { from: 443, to: 443 },
      },
      {
        ruleNumber: 110,
        egress: true,
        protocol: '6',
        ruleAction: 'deny',
        cidrBlock: '0.0.0.0/0',
        portRange: { from: 443, to: 443 },
      },
      allowAllIn,
      ...finalDeny,
    ]);
    expect((await runCheck(naclCheck, s)).status).toBe('pass');
  });

  it('fails when the return traffic has no inbound rule (NACLs are stateless)', async () => {
    const s = withEntries([
      {
        ruleNumber: 100,
        egress: true,
        protocol: '6',
        ruleAction: 'allow',
        cidrBlock: '0.0.0.0/0',
        portRange: { from: 443, to: 443 },
      },
      {
        ruleNumber: 100,
        egress: false,
        protocol: '6',
        ruleAction: 'allow',
        cidrBlock: '10.40.0.0/16',
        portRange: { from: 8080, to: 8080 },
      },
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.ingress');
    expect(english(r.message)).toContain('rule *');
  });

  it('warns when only part of the return ports is allowed', async () => {
    const s = withEntries([
      { ruleNumber: 100, egress: true, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
      {
        ruleNumber: 100,
        egress: false,
        protocol: '6',
        ruleAction: 'deny',
        cidrBlock: '0.0.0.0/0',
        portRange: { from: 1024, to: 2048 },
      },
      { ...allowAllIn, ruleNumber: 200 },
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('warn');
    expect(english(r.message)).toContain('rule 100');
  });

  it('warns when a deny covers part of the internet', async () => {
    const s = withEntries([
      { ruleNumber: 50, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '52.0.0.0/8' },
      { ruleNumber: 100, egress: true, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
      allowAllIn,
      ...finalDeny,
    ]);
    expect((await runCheck(naclCheck, s)).status).toBe('warn');
  });

  it('is unknown when network ACLs could not be read', async () => {
    const s = loadFacts('network/nat-path.json');
    s.facts['ec2.networkAcls'] = {
      ok: false,
      round: 3,
      error: {
        kind: 'throttled',
        code: 'RequestLimitExceeded',
        message: 'x',
        action: 'ec2:DescribeNetworkAcls',
      },
    };
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ec2:DescribeNetworkAcls');
  });
});
