/**
 * Synthetic reports for the Block Kit tests: a real task context (deriveContext) and results of the real checks
 * (their ids, so titles translate), grown as large as asked: many checks, long evidence, many and long console
 * links, a long stop message, several causes.
 */
import type { LinkRef } from '../../src/aws/console-links.js';
import { allChecks } from '../../src/diagnosis/checks/index.js';
import type { CheckResult, CheckStatus } from '../../src/diagnosis/checks/types.js';
import { deriveContext } from '../../src/diagnosis/context.js';
import type { Report } from '../../src/diagnosis/report.js';

export interface SyntheticOptions {
  /** Results per status; ids cycle through the registered checks (suffixed when they run out). */
  fail?: number;
  warn?: number;
  unknown?: number;
  pass?: number;
  skip?: number;
  evidencePerCheck?: number;
  evidenceLength?: number;
  linksPerCheck?: number;
  /** Length of each link's id (the button label) and extra length of its URL. */
  linkIdLength?: number;
  urlPadding?: number;
  stopLength?: number;
  causes?: number;
  summaryLength?: number;
  taskId?: string;
}

const ACCOUNT = '210987654321';
const REGION = 'eu-south-1';

function filler(n: number, seed: string): string {
  let s = '';
  while (s.length < n) s += `${seed} <&> “quoted” \`tick\` ✓ `;
  return s.slice(0, n);
}

/** A report with the given shape (defaults: a realistic small one). */
export function syntheticReport(o: SyntheticOptions = {}): Report {
  const taskId = o.taskId ?? '3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b';
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/${taskId}`;
  const stop = o.stopLength
    ? `CannotPullContainerError: ${filler(o.stopLength, 'dial tcp 52.95.0.1:443: i/o timeout ```')}`
    : 'CannotPullContainerError: pull image manifest has been retried 7 time(s): dial tcp 52.95.0.1:443: i/o timeout';
  const context = deriveContext(
    { partition: 'aws', region: REGION, account: ACCOUNT, cluster: 'payments', taskId, taskArn },
    {
      task: {
        ok: true,
        round: 1,
        value: {
          source: 'describe-tasks',
          task: {
            taskArn,
            clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`,
            lastStatus: 'STOPPED',
            stopCode: 'TaskFailedToStart',
            stoppedReason: stop,
            launchType: 'FARGATE',
            platformVersion: '1.4.0',
            group: 'service:checkout',
            containers: [
              {
                name: 'app',
                image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:2.14.0`,
                reason: stop,
              },
              {
                name: 'sidecar',
                image: 'public.ecr.aws/aws-observability/aws-otel-collector:latest',
                reason: 'other',
              },
            ],
            attachments: [
              {
                type: 'ElasticNetworkInterface',
                details: [
                  { name: 'subnetId', value: 'subnet-0a1b2c3d4e5f60718' },
                  { name: 'networkInterfaceId', value: 'eni-0a1b2c3d4e5f60718' },
                  { name: 'privateIPv4Address', value: '10.0.1.17' },
                ],
              },
            ],
          },
        },
      },
    },
  );
  const checks: CheckResult[] = [];
  const statuses: Array<[CheckStatus, number]> = [
    ['fail', o.fail ?? 1],
    ['warn', o.warn ?? 1],
    ['unknown', o.unknown ?? 1],
    ['pass', o.pass ?? 6],
    ['skip', o.skip ?? 2],
  ];
  let n = 0;
  for (const [status, count] of statuses) {
    for (let i = 0; i < count; i++, n++) {
      const base = allChecks[n % allChecks.length]!.id;
      const id = n < allChecks.length ? base : `${base}-${n}`;
      const links: LinkRef[] = [];
      for (let l = 0; l < (o.linksPerCheck ?? 2); l++) {
        const lid = `subnet-${String(l).padStart(4, '0')}${filler(o.linkIdLength ?? 0, 'x')}`;
        links.push({
          kind: l % 2 ? 'route-table' : 'subnet',
          id: lid,
          url: `https://${REGION}.console.aws.amazon.com/vpcconsole/home?region=${REGION}#SubnetDetails:subnetId=${encodeURIComponent(lid)}&n=${n}${'p'.repeat(o.urlPadding ?? 0)}`,
        });
      }
      checks.push({
        id,
        status,
        message: {
          key: 'common:report.stoppedReason',
          params: { reason: filler(Math.max(40, (o.evidenceLength ?? 60) * 2), `message of ${id}`) },
        },
        evidence: Array.from({ length: o.evidencePerCheck ?? 2 }, (_, e) => ({
          key: 'common:report.subnets',
          params: { ids: filler(o.evidenceLength ?? 60, `subnet-${e}`), origin: 'eni' },
        })),
        remediation:
          status === 'fail' || status === 'warn'
            ? { key: 'common:report.fix', params: { text: filler(o.evidenceLength ?? 60, 'add a route') } }
            : undefined,
        links,
        ...(status === 'unknown'
          ? {
              missing: {
                fact: 'ec2.routeTables',
                error: {
                  kind: 'denied' as const,
                  code: 'UnauthorizedOperation',
                  message: 'denied',
                  action: 'ec2:DescribeRouteTables',
                },
              },
            }
          : {}),
      });
    }
  }
  const causes = Array.from({ length: o.causes ?? 2 }, (_, i) => ({
    id: i === 0 ? 'network-no-route' : `cause-${i}`,
    confidence: Math.max(0.05, 0.8 - i * 0.15),
    basis: 'both' as const,
    checks: checks.filter((c) => c.status === 'fail').map((c) => c.id),
    summary: {
      key: 'common:report.stoppedReason',
      params: { reason: filler(o.summaryLength ?? 80, `cause ${i}`) },
    },
    remediation: { key: 'common:report.fix', params: { text: filler(o.summaryLength ?? 80, 'route it') } },
  }));
  return {
    schema: 1,
    kind: 'ecs-pull-report',
    generatedAt: '2026-11-28T09:12:44.000Z',
    target: { partition: 'aws', region: REGION, account: ACCOUNT, cluster: 'payments', taskId, taskArn },
    context,
    checks,
    causes,
    // The verdict's shape is being reworked; the renderer does not read it.
    verdict: {
      basis: 'both',
      notes: [],
      unverified: [],
      restsOnMessage: false,
      unknownChecks: [],
      fragments: [],
    } as unknown as Report['verdict'],
    aws: { calls: [], callCount: 23, cachedCount: 0, rounds: 4, wallMs: 812, deadlineExceeded: false },
  };
}
