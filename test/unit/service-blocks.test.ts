/**
 * A service reply in Slack, built from the demo scenarios' real reports (one per group), stays within Block Kit's
 * limits in both languages and every layout (a command's thread reply and its channel summary, an alert's automatic
 * reply, a re-run, a repeat of a service storm), whatever its size: many groups, long stop reasons, twenty long
 * events, a pre-flight; it leads with the group that matters, escapes what AWS and alerts wrote, and has buttons to
 * the service's events and deployments tabs.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleLinks } from '../../src/aws/console-links.js';
import { replayScenario, scenarioNames } from '../../src/cli/demo.js';
import type { Language } from '../../src/config.js';
import type { Report } from '../../src/diagnosis/report.js';
import type { ServiceGroup, ServiceReport } from '../../src/diagnosis/service-report.js';
import { translator } from '../../src/i18n.js';
import { LIMITS } from '../../src/render/blockkit.js';
import { type ReplyItem, type ReplyView, renderReply, renderSummary } from '../../src/render/blocks.js';
import { renderServiceJson } from '../../src/render/service-json.js';
import { renderServiceText } from '../../src/render/service-text.js';
import { ACTION_LANG, ACTION_RERUN } from '../../src/slack/buttons.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';

const dir = join(import.meta.dirname, '..', '..', 'demo', 'scenarios');
const langs: Language[] = ['en', 'it'];
const links = new ConsoleLinks('aws', 'eu-south-1', '210987654321');

function group(
  report: Report,
  count: number,
  i: number,
  reason = report.context.stoppedReason ?? '',
): ServiceGroup {
  return {
    stoppedReason: reason,
    count,
    taskArns: Array.from(
      { length: count },
      (_, n) => `arn:aws:ecs:eu-south-1:210987654321:task/payments/${String(n).padStart(32, '0')}`,
    ),
    first: new Date(Date.UTC(2026, 10, 28, 9, i)).toISOString(),
    last: new Date(Date.UTC(2026, 10, 28, 9, 30 + i)).toISOString(),
    failed: true,
    report,
  };
}

function serviceReport(groups: ServiceGroup[], over: Partial<ServiceReport> = {}): ServiceReport {
  const target = {
    partition: 'aws' as const,
    region: 'eu-south-1',
    account: '210987654321',
    cluster: 'payments',
    service: 'checkout',
  };
  const serviceArn = 'arn:aws:ecs:eu-south-1:210987654321:service/payments/checkout';
  return {
    schema: 1,
    kind: 'ecs-pull-service-report',
    generatedAt: '2026-11-28T09:45:00.000Z',
    target,
    service: {
      serviceName: 'checkout',
      serviceArn,
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 0,
      taskDefinition: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:7',
      circuitBreaker: { enable: true, rollback: true },
      deployments: [
        {
          id: 'ecs-svc/3282512329797006262',
          status: 'PRIMARY',
          taskDefinition: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:7',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          desiredCount: 3,
          runningCount: 0,
          pendingCount: 0,
          failedTasks: 12,
        },
        {
          id: 'ecs-svc/6584591452620467155',
          status: 'ACTIVE',
          taskDefinition: 'arn:aws:ecs:eu-south-1:210987654321:task-definition/checkout:6',
          rolloutState: 'COMPLETED',
          desiredCount: 3,
          runningCount: 3,
          pendingCount: 0,
        },
      ],
      events: [
        {
          createdAt: '2026-11-28T09:40:00.000Z',
          message:
            '(service checkout) (deployment ecs-svc/3282512329797006262) deployment failed: tasks failed to start.',
        },
        {
          createdAt: '2026-11-28T09:35:00.000Z',
          message:
            '(service checkout) is unable to consistently start tasks successfully. <@U0EVIL> & <https://evil.example|click>',
        },
      ],
      account: '210987654321',
      region: 'eu-south-1',
      cluster: 'payments',
      stoppedTasks: {
        listed: groups.reduce((n, g) => n + g.count, 0),
        described: groups.reduce((n, g) => n + g.count, 0),
        truncated: false,
      },
    },
    groups,
    preflight: null,
    notes: [],
    links: {
      service: links.service('payments', 'checkout'),
      events: links.serviceTab('payments', 'checkout', 'events'),
      deployments: links.serviceTab('payments', 'checkout', 'deployments'),
    },
    aws: { calls: [], callCount: 14, cachedCount: 6, rounds: 6, wallMs: 812, deadlineExceeded: false },
    ...over,
  };
}

describe('a service reply in Slack', () => {
  const reports: Report[] = [];
  beforeAll(async () => {
    for (const name of scenarioNames(dir)) reports.push(await replayScenario(name, dir));
  });

  const cases = (): Array<[string, ServiceReport]> => {
    const big = reports.map((r, i) =>
      group(r, 200 - i, i, `${r.context.stoppedReason ?? ''} ${'x'.repeat(2500)}`),
    );
    const manyEvents = Array.from({ length: 20 }, (_, i) => ({
      createdAt: new Date(Date.UTC(2026, 10, 28, 9, i)).toISOString(),
      message: `(service checkout) event ${i} ${'y'.repeat(1200)}`,
    }));
    const preflightReport = reports[0]!;
    return [
      ['two groups', serviceReport([group(reports[0]!, 150, 0), group(reports[1]!, 80, 1)])],
      [
        'every scenario a group, long reasons and events',
        serviceReport(big, {
          service: { ...serviceReport(big).service, events: manyEvents },
        }),
      ],
      [
        'no stopped task: the pre-flight',
        serviceReport([], {
          notes: [
            { key: 'service:notes.no-stopped', params: {} },
            { key: 'service:notes.preflight-ran', params: { taskDefinition: 'checkout:7' } },
          ],
          preflight: {
            schema: 1,
            kind: 'ecs-pull-check-report',
            generatedAt: '2026-11-28T09:45:00.000Z',
            target: {
              partition: 'aws',
              region: 'eu-south-1',
              account: '210987654321',
              cluster: 'payments',
              service: 'checkout',
            },
            context: preflightReport.context,
            verdict: {
              outcome: 'would-fail',
              blocking: true,
              failing: ['network.route'],
              warnings: [],
              unverified: ['iam.execution-role'],
            },
            checks: preflightReport.checks,
            aws: preflightReport.aws,
          },
        }),
      ],
      [
        'a group not diagnosed',
        serviceReport([
          {
            ...group(reports[2]!, 5, 2),
            report: null,
            error: { key: 'service:group.not-diagnosed', params: {} },
          },
        ]),
      ],
    ];
  };

  for (const lang of langs) {
    it(`${lang}: within Block Kit's limits in every layout`, () => {
      const t = translator(lang);
      for (const [name, report] of cases()) {
        const item: ReplyItem = {
          kind: 'service',
          report,
          alert: { kind: 'alarm', alarm: 'checkout-running-tasks-low <&>' },
        };
        const actions = {
          stateKey: 'svc-state-key',
          layout: 'command' as const,
          arns: [report.service.serviceArn!],
        };
        const views: Array<[string, ReplyView]> = [
          ['command', { items: [item], more: 0, requestedBy: 'U0ASKER01', actions }],
          [
            're-run',
            {
              items: [item],
              more: 0,
              rerun: { by: 'U0RERUN01', at: 1_764_320_000 },
              actions: { ...actions, layout: 'thread' },
            },
          ],
          ['automatic', { items: [item], more: 0, actions: { ...actions, layout: 'thread' } }],
          [
            'repeat',
            {
              items: [
                {
                  kind: 'service-same',
                  service: 'checkout',
                  where: { cluster: 'payments', account: '210987654321', region: 'eu-south-1' },
                  alert: { kind: 'deployment-failed' },
                  first: {
                    link: 'https://acme.slack.com/archives/C1/p1764320000000100?thread_ts=1764320000.000050&cid=C1',
                    cause: undefined,
                  },
                },
              ],
              more: 0,
              actions: { ...actions, layout: 'thread' },
            },
          ],
        ];
        for (const [layout, view] of views) {
          const where = `${name} · ${layout}`;
          const reply = renderReply(view, t, lang);
          expect(blockKitViolations(reply), where).toEqual([]);
          expect(reply.blocks.length, where).toBeLessThanOrEqual(LIMITS.blocks);
          const last = reply.blocks.at(-1)!;
          expect(last.type === 'actions' && last.elements.map((e) => e.action_id), where).toEqual([
            ACTION_RERUN,
            ACTION_LANG,
          ]);
          const all = JSON.stringify(reply.blocks);
          expect(all, where).not.toContain('{{');
          expect(all, where).not.toMatch(/\bundefined\b/);
          expect(all, where).not.toContain('<@U0EVIL>');
          expect(all, where).not.toContain('<https://evil.example');
          expect(blockKitViolations(renderSummary(view, t)), `${where} summary`).toEqual([]);
          if (layout === 'repeat') continue;
          // The service's events and deployments tabs, as buttons.
          const urls = reply.blocks.flatMap((b) =>
            b.type === 'actions' ? b.elements.map((e) => e.url) : [],
          );
          expect(urls, where).toContain(
            'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout/events?region=eu-south-1',
          );
          expect(urls, where).toContain(
            'https://eu-south-1.console.aws.amazon.com/ecs/v2/clusters/payments/services/checkout/deployments?region=eu-south-1',
          );
        }
      }
    });
  }

  it('leads with the group that matters: its cause in the notification text and first in the blocks', () => {
    const t = translator('en');
    const report = serviceReport([group(reports[0]!, 150, 0), group(reports[1]!, 80, 1)]);
    const reply = renderReply({ items: [{ kind: 'service', report }], more: 0 }, t, 'en');
    const lead = reports[0]!.causes[0]!;
    expect(reply.text).toContain('Service checkout:');
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('Group 1 of 2 · 150 tasks');
    expect(text).toContain('Group 2 of 2 · 80 tasks');
    expect(text.indexOf('Group 1 of 2')).toBeLessThan(text.indexOf('Group 2 of 2'));
    expect(text).toContain(lead.id === 'unknown' ? 'No cause' : 'Most likely cause');
    // Time ranges as Slack date tokens, which each reader sees in their own zone.
    expect(text).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|/);
    expect(text).toContain('Deployment circuit breaker: on, with rollback');
    expect(text).toContain(':x: PRIMARY ecs-svc/3282512329797006262 · checkout:7 · failed');
    expect(text).toContain('12 tasks failed');
  });

  it('JSON and text of the same report: schema, kind, groups as why --json prints them, both languages', () => {
    const report = serviceReport([group(reports[0]!, 150, 0)]);
    for (const lang of langs) {
      const t = translator(lang);
      const json = JSON.parse(renderServiceJson(report, t, lang));
      expect(json).toMatchObject({ schema: 1, kind: 'ecs-pull-service-report', lang, preflight: null });
      expect(Object.keys(json)).toEqual(
        expect.arrayContaining(['schema', 'kind', 'service', 'groups', 'preflight']),
      );
      expect(json.groups[0]).toMatchObject({ stoppedReason: report.groups[0]!.stoppedReason, count: 150 });
      expect(json.groups[0].report.kind).toBe('ecs-pull-report');
      expect(typeof json.groups[0].report.checks[0].title).toBe('string');
      const text = renderServiceText(report, t);
      expect(text).toContain(lang === 'it' ? 'ecs-pull · servizio checkout' : 'ecs-pull · service checkout');
      expect(text).not.toMatch(/\{\{|undefined/);
    }
  });
});
