import { describe, expect, it } from 'vitest';
import { naclCheck } from '../../../../src/diagnosis/checks/network/nacl.js';
import type { NaclEntryRecord, NetworkAclRecord } from '../../../../src/diagnosis/facts/ec2.js';
import { english, evidenceText, loadFacts, runCheck, setFact, value } from '../../../helpers/checks.js';

const TASK_SUBNET = 'subnet-0a1b2c3d4e5f67890';
const NAT_SUBNET = 'subnet-0c3d4e5f6a7b89012';

const finalDeny: NaclEntryRecord[] = [
  { ruleNumber: 32767, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
  { ruleNumber: 32767, egress: false, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
];
const allowAll = (egress: boolean, ruleNumber = 100): NaclEntryRecord => ({
  ruleNumber,
  egress,
  protocol: '-1',
  ruleAction: 'allow',
  cidrBlock: '0.0.0.0/0',
});
const tcp = (
  ruleNumber: number,
  egress: boolean,
  ruleAction: 'allow' | 'deny',
  cidrBlock: string,
  from: number,
  to = from,
): NaclEntryRecord => ({ ruleNumber, egress, protocol: '6', ruleAction, cidrBlock, portRange: { from, to } });

/**
 * The fixture with the task subnet behind its own ACL holding `entries`; every other subnet (the NAT gateway's,
 * the endpoints' second subnet) keeps the default allow-all ACL unless `others` is given.
 */
function withTaskAcl(
  entries: NaclEntryRecord[],
  fixture = 'network/nat-path.json',
  others?: NaclEntryRecord[],
) {
  const s = loadFacts(fixture);
  const acls = value(s, 'ec2.networkAcls');
  const def = acls[0]!;
  def.subnetIds = def.subnetIds.filter((id) => id !== TASK_SUBNET);
  if (others) def.entries = others;
  const own: NetworkAclRecord = {
    networkAclId: 'acl-0task000000000001',
    vpcId: def.vpcId,
    isDefault: false,
    subnetIds: [TASK_SUBNET],
    entries,
  };
  setFact(s, 'ec2.networkAcls', [def, own]);
  return s;
}

describe('network.nacl: every network ACL on the path lets TCP 443 through and the replies back, in rule order', () => {
  it('passes the default allow-all ACL on the task subnet and the NAT gateway subnet', async () => {
    const r = await runCheck(naclCheck, loadFacts('network/nat-path.json'));
    expect(r.status).toBe('pass');
    const ev = evidenceText(r);
    expect(ev).toContain(`Task subnet ${TASK_SUBNET} → network ACL acl-0a1b2c3d4e5f60718`);
    expect(ev).toContain('acl-0a1b2c3d4e5f60718: outbound TCP 443 → 0.0.0.0/0: allowed (rule 100)');
    expect(ev).toContain(`NAT gateway subnet ${NAT_SUBNET}`);
    // The task's IP is unknown (ENI gone): its subnet's range stands for it.
    expect(ev).toContain('inbound TCP 443 ← 10.40.12.77: allowed (rule 100)');
    expect(r.links.map((l) => l.kind)).toContain('network-acl');
  });

  it('fails when a lower-numbered rule denies 443 out, even with a later allow', async () => {
    const s = withTaskAcl([
      tcp(90, true, 'deny', '0.0.0.0/0', 443),
      allowAll(true),
      allowAll(false),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.task-out-443');
    expect(english(r.message)).toContain('acl-0task000000000001');
    expect(english(r.message)).toContain('rule 90');
    expect(english(r.remediation!)).toContain('outbound rule allowing TCP 443 to 0.0.0.0/0');
    expect(r.links.find((l) => l.kind === 'network-acl')?.id).toBe('acl-0task000000000001');
  });

  it('passes when the allow comes before the deny', async () => {
    const s = withTaskAcl([
      tcp(100, true, 'allow', '0.0.0.0/0', 443),
      tcp(110, true, 'deny', '0.0.0.0/0', 443),
      tcp(100, false, 'allow', '0.0.0.0/0', 1024, 65535),
      ...finalDeny,
    ]);
    expect((await runCheck(naclCheck, s)).status).toBe('pass');
  });

  it('fails when the return traffic has no inbound rule (NACLs are stateless)', async () => {
    const s = withTaskAcl([
      tcp(100, true, 'allow', '0.0.0.0/0', 443),
      tcp(100, false, 'allow', '10.40.0.0/16', 8080),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.task-in-return');
    expect(english(r.message)).toContain('rule *');
  });

  it('fails when the NAT gateway subnet does not let the task’s requests in', async () => {
    // The NAT subnet's ACL allows the internet side only: the task's packets to the NAT gateway are dropped.
    const s = withTaskAcl([allowAll(true), allowAll(false), ...finalDeny], 'network/nat-path.json', [
      tcp(100, true, 'allow', '0.0.0.0/0', 443),
      tcp(100, false, 'allow', '0.0.0.0/0', 1024, 65535),
      tcp(110, true, 'allow', '10.40.12.0/24', 1024, 65535),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.nat-in-443');
    expect(english(r.message)).toContain(NAT_SUBNET);
    expect(english(r.message)).toContain('10.40.12.77');
    expect(english(r.remediation!)).toContain('inbound rule allowing TCP 443 from 10.40.12.0/24');
  });

  it('warns when only part of the return ports is allowed', async () => {
    const s = withTaskAcl([
      allowAll(true),
      tcp(100, false, 'deny', '0.0.0.0/0', 1024, 2048),
      allowAll(false, 200),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('network:nacl.warn.partial-in');
    expect(english(r.message)).toContain('rule 100');
  });

  it('warns when a deny covers part of the internet', async () => {
    const s = withTaskAcl([
      { ruleNumber: 50, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '52.0.0.0/8' },
      allowAll(true),
      allowAll(false),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('warn');
    expect(r.message.key).toBe('network:nacl.warn.partial-out');
  });

  it('on the endpoint path, checks the endpoint subnets and S3’s ranges rather than the whole internet', async () => {
    // Only the VPC and S3's ranges are allowed: enough for the endpoint path.
    const s = withTaskAcl(
      [
        tcp(100, true, 'allow', '10.40.0.0/16', 443),
        tcp(110, true, 'allow', '52.95.128.0/21', 443),
        tcp(120, true, 'allow', '3.5.244.0/22', 443),
        tcp(100, false, 'allow', '0.0.0.0/0', 1024, 65535),
        ...finalDeny,
      ],
      'network/endpoint-path.json',
    );
    const r = await runCheck(naclCheck, s);
    const ev = evidenceText(r);
    expect(r.status).toBe('pass');
    expect(ev).toContain('outbound TCP 443 → 10.40.13.0/24: allowed (rule 100)');
    expect(ev).toContain('outbound TCP 443 → 3.5.244.0/22: allowed (rule 120)');
    expect(ev).toContain('Endpoint subnet subnet-0b2c3d4e5f6a78901');
    // The endpoints' interfaces in the task's own subnet are reached without crossing any ACL.
    expect(ev).not.toContain('→ 10.40.12.0/24');
    expect(ev).not.toContain(`Endpoint subnet ${TASK_SUBNET}`);
    expect(ev).not.toContain('→ 0.0.0.0/0');
  });

  it('fails on the endpoint path when S3’s ranges are not allowed out', async () => {
    const s = withTaskAcl(
      [tcp(100, true, 'allow', '10.40.0.0/16', 443), allowAll(false), ...finalDeny],
      'network/endpoint-path.json',
    );
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.task-out-443');
    expect(english(r.message)).toContain('52.95.128.0/21');
  });

  it('fails when an endpoint subnet’s ACL does not let the replies go back to the task', async () => {
    const s = withTaskAcl([allowAll(true), allowAll(false), ...finalDeny], 'network/endpoint-path.json', [
      tcp(100, false, 'allow', '10.40.0.0/16', 443),
      tcp(100, true, 'allow', '0.0.0.0/0', 443),
      ...finalDeny,
    ]);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('fail');
    expect(r.message.key).toBe('network:nacl.fail.endpoint-out-return');
    expect(english(r.message)).toContain('subnet-0b2c3d4e5f6a78901');
  });

  it('is unknown when no ACL is associated with the subnet in the data read', async () => {
    const s = loadFacts('network/nat-path.json');
    setFact(s, 'ec2.networkAcls', []);
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.message.key).toBe('network:nacl.unknown.no-acl');
  });

  it('is unknown naming the action when network ACLs could not be read', async () => {
    const s = loadFacts('network/nat-path.json');
    s.facts['ec2.networkAcls'] = {
      ok: false,
      round: 3,
      error: {
        kind: 'denied',
        code: 'UnauthorizedOperation',
        message: 'x',
        action: 'ec2:DescribeNetworkAcls',
      },
    };
    const r = await runCheck(naclCheck, s);
    expect(r.status).toBe('unknown');
    expect(r.missing?.error.action).toBe('ec2:DescribeNetworkAcls');
    expect(english(r.message)).toContain('ec2:DescribeNetworkAcls');
  });
});
