/**
 * The terminal answer, asserted on meaning rather than on whole strings: the cause comes first and names the
 * actual resources, the fix follows, then the evidence, what else to check, the other checks and the context;
 * in English and in Italian. Includes a report computed by the real checks from a facts fixture.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import type { TaskContext } from '../../src/diagnosis/context.js';
import { evaluate } from '../../src/diagnosis/evaluate.js';
import type { RouteTableRecord } from '../../src/diagnosis/facts/ec2.js';
import { callStats, REPORT_SCHEMA, type Report } from '../../src/diagnosis/report.js';
import { decide } from '../../src/diagnosis/verdict.js';
import { translator } from '../../src/i18n.js';
import { renderJson } from '../../src/render/json.js';
import { renderText } from '../../src/render/text.js';
import { loadFacts, value } from '../helpers/checks.js';
import { result, taskContext } from '../helpers/verdict-context.js';

const TIMEOUT =
  'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:2.14.0: failed to do request: Head "https://210987654321.dkr.ecr.eu-south-1.amazonaws.com/v2/checkout/manifests/2.14.0": dial tcp 3.5.246.12:443: i/o timeout';

function report(ctx: TaskContext, checks: CheckResult[]): Report {
  return {
    schema: REPORT_SCHEMA,
    kind: 'ecs-pull-report',
    generatedAt: '2026-11-28T10:00:00.000Z',
    target: {
      partition: 'aws',
      region: ctx.region,
      account: ctx.account,
      cluster: ctx.cluster,
      taskId: ctx.taskId,
      taskArn: ctx.taskArn,
    },
    context: ctx,
    checks,
    ...decide(ctx, checks),
    aws: callStats([], 840, false),
  };
}

const routeFail = result(
  'network.route',
  'fail',
  'none',
  { subnetId: 'subnet-0a1b2c3d', routeTableId: 'rtb-0123abcd' },
  {
    evidence: [{ key: 'network:evidence.no-default-route', params: { routeTableId: 'rtb-0123abcd' } }],
    remediation: { key: 'network:route.fix.add-route', params: { routeTableId: 'rtb-0123abcd' } },
  },
);
const aclWarn = result(
  'network.nacl',
  'warn',
  'partial',
  { aclId: 'acl-0feed', peer: '0.0.0.0/0', rule: 90 },
  { remediation: { key: 'network:nacl.fix.review', params: { aclId: 'acl-0feed' } } },
);
const checks = [
  routeFail,
  aclWarn,
  result('network.security-group-egress', 'pass', 'internet', { groupId: 'sg-0aa', to: '0.0.0.0/0' }),
  result('dns.dhcp-options', 'pass', ''),
  result('network.public-ip', 'skip', 'not-igw', { subnetId: 'subnet-0a1b2c3d' }),
  result('endpoints.policy', 'unknown', ''),
];

/** Index of the first line matching, -1 when none does. */
const at = (lines: string[], re: RegExp) => lines.findIndex((l) => re.test(l));

describe('render text: the answer first', () => {
  const r = report(taskContext({ reason: TIMEOUT }), checks);

  it('English: cause sentence with the subnet and route table, then the fix, then evidence, also-check, other checks, context', () => {
    const text = renderText(r, translator('en'));
    const lines = text.split('\n');
    // Header (task, where), blank, then the answer.
    expect(lines[3]).toMatch(/^Most likely: .*subnet-0a1b2c3d.*rtb-0123abcd/);
    expect(lines[4]).toMatch(/\d+% · high confidence/);
    expect(lines[5]).toMatch(/Fix: .*rtb-0123abcd.*0\.0\.0\.0\/0.*NAT gateway/);
    const why = at(lines, /^Why$/);
    const also = at(lines, /^Also check$/);
    const others = at(lines, /^Other checks$/);
    const context = at(lines, /^Context$/);
    const aws = at(lines, /^AWS: /);
    expect([why, also, others, context, aws].every((i) => i > 5)).toBe(true);
    expect(why < also && also < others && others < context && context < aws).toBe(true);
    // Evidence: what the stop message says, in words, and the deciding check with its evidence line.
    const evidence = lines.slice(why, also).join('\n');
    expect(evidence).toContain('· The stop message says “i/o timeout”');
    expect(evidence).toContain(
      '· The stop message names the ECR registry host 210987654321.dkr.ecr.eu-south-1.amazonaws.com',
    );
    expect(evidence).toMatch(/Route to the internet \(network\.route\): Subnet subnet-0a1b2c3d has no route/);
    // …followed by the check's own evidence line, indented under it.
    expect(evidence).toMatch(/\(network\.route\): [^\n]*\n {6}· [^\n]*rtb-0123abcd/);
    // Also check: a runner-up cause with the warning that makes it (in full, with its fix), a hint, and the
    // check that could not run.
    const alsoText = lines.slice(also, others).join('\n');
    expect(alsoText).toMatch(
      /\d+% firewall rules blocking HTTPS, from the checks:\n {6}! \[warn\] .*\(network\.nacl\)/,
    );
    expect(alsoText).toContain('acl-0feed');
    expect(alsoText).toMatch(/NAT gateway only works from a public subnet/);
    expect(alsoText).toMatch(/endpoints\.policy.*ec2:DescribeRouteTables was denied/);
    // Other checks: passes folded in one line; neither the deciding check nor the runner-up's warning again.
    const otherText = lines.slice(others, context).join('\n');
    expect(otherText).toMatch(/✓ Passed: network\.security-group-egress, dns\.dhcp-options/);
    expect(otherText).not.toContain('(network.route)');
    expect(otherText).not.toContain('network.nacl');
    // The full stop reason lives in the context.
    expect(lines.slice(context).join('\n')).toContain('Stopped reason: CannotPullContainerError');
    expect(text).not.toMatch(/\{\{|causes:/);
  });

  it('Italian: the same meaning in Italian words', () => {
    const text = renderText(r, translator('it'));
    const lines = text.split('\n');
    expect(lines[3]).toMatch(
      /^Causa più probabile: .*sottorete subnet-0a1b2c3d.*tabella di routing rtb-0123abcd/,
    );
    expect(lines[4]).toMatch(/\d+% · affidabilità alta/);
    expect(lines[5]).toMatch(/^ {2}Soluzione: .*rtb-0123abcd/);
    for (const title of ['Perché', 'Controlla anche', 'Altri controlli', 'Contesto']) {
      expect(lines).toContain(title);
    }
    expect(text).toMatch(/Il messaggio di arresto dice “i\/o timeout”/);
    expect(text).toMatch(/Il messaggio di arresto cita l'host del registro ECR 210987654321\.dkr\.ecr/);
    expect(text).toMatch(/\d+% regole firewall che bloccano HTTPS/);
    expect(text).not.toMatch(/Most likely|Also check|Other checks|\{\{|causes:/);
  });

  it('says when the answer rests on the message alone', () => {
    const alone = report(taskContext({ reason: TIMEOUT }), [result('network.route', 'unknown', '')]);
    const en = renderText(alone, translator('en'));
    expect(en.split('\n').slice(3, 8).join('\n')).toMatch(
      /rests on the stop message alone: the check that could confirm it, “Route to the internet”, could not run/,
    );
    const it_ = renderText(alone, translator('it'));
    expect(it_.split('\n').slice(3, 8).join('\n')).toMatch(/si basa solo sul messaggio di arresto/);
  });

  it('names the image and the missing execution role in the sentence when they decide', () => {
    const ctx = taskContext({ reason: undefined, td: { executionRoleArn: undefined } });
    const en = renderText(
      report(ctx, [result('iam.execution-role', 'fail', 'none', { needs: 'ECR' })]),
      translator('en'),
    );
    expect(en.split('\n')[3]).toMatch(/^Most likely: The task definition has no execution role/);
    expect(en).toMatch(/Fix: Set executionRoleArn/);
    expect(en).toMatch(/no stop message for this task/);
    const notFound = report(
      taskContext({
        reason:
          'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:9.9.9: 210987654321.dkr.ecr.eu-south-1.amazonaws.com/checkout:9.9.9: not found',
      }),
      [],
    );
    const it_ = renderText(notFound, translator('it')).split('\n');
    expect(it_[3]).toMatch(
      /^Causa più probabile: L'immagine 210987654321\.dkr\.ecr\.eu-south-1\.amazonaws\.com\/checkout:9\.9\.9 non c'è/,
    );
    expect(it_[5]).toMatch(
      /Soluzione: Carica 210987654321\.dkr\.ecr\.eu-south-1\.amazonaws\.com\/checkout:9\.9\.9/,
    );
  });

  it('says plainly when nothing was found, with no percentage', () => {
    const none = report(taskContext({ reason: 'Essential container in task exited' }), [
      result('network.route', 'pass', 'internet', { subnetId: 's', routeTableId: 'r', target: 'nat-1' }),
    ]);
    const lines = renderText(none, translator('en')).split('\n');
    expect(lines[3]).toMatch(/^Most likely: Neither the stop message nor the checks point at a known cause/);
    expect(lines[4]).not.toMatch(/%/);
    expect(lines.join('\n')).toMatch(/every check that ran found the path clear/);
  });
});

describe('render json: the verdict’s words carry their text', () => {
  it('causes and notes have key, params and text in the requested language', () => {
    const r = report(taskContext({ reason: TIMEOUT }), checks);
    const out = JSON.parse(renderJson(r, translator('it'), 'it'));
    expect(out.causes[0].id).toBe('network-no-route');
    expect(out.causes[0].summary.key).toBe('causes:network-no-route.summary.route');
    expect(out.causes[0].summary.text).toContain('subnet-0a1b2c3d');
    expect(out.causes[0].remediation.text).toContain('rtb-0123abcd');
    expect(out.causes[0].evidence[0].text).toContain('rtb-0123abcd');
    expect(out.causes[0].alsoCheck[0].text).toMatch(/gateway NAT/);
    expect(out.verdict.basis).toBe('both');
    expect(out.verdict.notes[0].text).toBe('Il messaggio di arresto e i controlli concordano.');
    expect(out.verdict.unverified).toEqual(['endpoints.policy']);
  });
});

describe('render text: a report computed by the real checks', () => {
  it('a private subnet that lost its NAT route: the answer names the subnet and its route table', async () => {
    const saved = loadFacts('network/nat-path.json');
    const tables = value(saved, 'ec2.routeTables') as RouteTableRecord[];
    const priv = tables.find((t) => t.routeTableId === 'rtb-0private000000001')!;
    priv.routes = (priv.routes ?? []).filter((x) => x.destinationCidrBlock !== '0.0.0.0/0');
    const r = await evaluate(saved);
    expect(r.causes[0]!.id).toBe('network-no-route');
    expect(r.causes[0]!.basis).toBe('both');
    const en = renderText(r, translator('en')).split('\n');
    expect(en[3]).toMatch(/subnet-0a1b2c3d4e5f67890.*rtb-0private000000001/);
    const it_ = renderText(r, translator('it')).split('\n');
    expect(it_[3]).toMatch(/^Causa più probabile: La sottorete subnet-0a1b2c3d4e5f67890/);
  });

  it('the same fixture, healthy: the timeout is not confirmed and the answer says so', async () => {
    const r = await evaluate(loadFacts('network/nat-path.json'));
    expect(r.causes[0]!.level).toBe('low');
    expect(r.verdict!.notes.map((n) => n.key)).toContain('causes:verdict.alone.refuted');
    expect(renderText(r, translator('en'))).toMatch(/Take this with care/);
  });
});
