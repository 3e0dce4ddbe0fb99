/**
 * Security, issue 13 finding 4: text from tasks, alerts and registries never becomes Slack markup. Mentions and
 * links planted in every place such text reaches a reply (stop reason, container reason and name, image, tags,
 * lifecycle rule, service group, task definition, the storm's group, a one-line answer) come out escaped in every
 * field Slack reads as mrkdwn, in both languages and every layout; the only links are the bot's own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../src/config.js';
import { evaluate, parseSavedFacts } from '../../src/diagnosis/evaluate.js';
import type { Report, SavedFacts } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { type ReplyView, renderLine, renderReply, renderSummary } from '../../src/render/blocks.js';
import { liveMarkup, mrkdwnStrings, PAYLOAD } from '../helpers/slack-markup.js';

const dir = join(import.meta.dirname, '..', '..', 'demo', 'scenarios');

/** A demo scenario's saved facts with the payloads planted everywhere people's and apps' words can reach. */
function hostile(name: string): SavedFacts {
  const saved = parseSavedFacts(readFileSync(join(dir, `${name}.json`), 'utf8'), name);
  const f = saved.facts as Record<string, { ok: boolean; value: Record<string, unknown> }>;
  const task = (f['ecs.task']!.value as { task: Record<string, unknown> }).task;
  task.stoppedReason = `CannotPullContainerError: ${PAYLOAD}: not found`;
  task.group = `service:${PAYLOAD}`;
  for (const c of (task.containers ?? []) as Array<Record<string, unknown>>) {
    c.reason = `CannotPullContainerError: ${PAYLOAD}`;
    c.image = `${String(c.image)}${PAYLOAD}`;
  }
  const td = f['ecs.taskDefinition']?.value;
  if (td) {
    td.family = PAYLOAD;
    for (const c of (td.containerDefinitions ?? []) as Array<Record<string, unknown>>)
      c.image = `${String(c.image)}${PAYLOAD}`;
  }
  for (const img of (f['ecr.images']?.ok ? f['ecr.images'].value : []) as unknown as Array<
    Record<string, unknown>
  >) {
    img.image = `${String(img.image)}${PAYLOAD}`;
    img.taggedImages = [{ tags: [PAYLOAD], pushedAt: '2026-11-27T04:46:53.000Z' }];
    img.nearNames = [PAYLOAD];
    for (const rule of (img.lifecycleRules ?? []) as Array<Record<string, unknown>>)
      rule.description = PAYLOAD;
  }
  return saved;
}

function views(report: Report): Array<[string, ReplyView]> {
  const one = { kind: 'report' as const, report };
  const arns = [report.context.taskArn];
  return [
    [
      'reply',
      {
        items: [one],
        more: 0,
        requestedBy: 'U0ASKER01',
        actions: { stateKey: 'k', layout: 'command', arns },
      },
    ],
    ['automatic', { items: [one], more: 0 }],
    ['several', { items: [one, one], more: 1 }],
    [
      'storm',
      {
        items: [
          {
            kind: 'same',
            ref: report.context.taskId,
            where: {
              cluster: report.context.cluster,
              account: report.context.account,
              region: report.context.region,
            },
            first: {
              taskId: 'f'.repeat(32),
              link: 'https://ecs-pull-test.slack.com/archives/C0ALERTS1/p1764320000000100',
              group: `service:${PAYLOAD}`,
              cause: report.causes[0],
            },
          },
        ],
        more: 0,
      },
    ],
    [
      'error line',
      {
        items: [
          {
            kind: 'error',
            ref: PAYLOAD,
            message: { key: 'slack:errors.not-allowed', params: { account: PAYLOAD } },
          },
        ],
        more: 0,
      },
    ],
  ];
}

describe('slack escaping: planted mentions and links stay text', () => {
  for (const name of ['image-not-found', 'network-no-route', 'registry-auth', 'secrets']) {
    for (const lang of ['en', 'it'] as Language[]) {
      it(`${name} · ${lang}: no live markup in any mrkdwn field of any layout`, async () => {
        const report = await evaluate(hostile(name));
        const t = translator(lang);
        for (const [layout, view] of views(report)) {
          for (const msg of [renderReply(view, t, lang), renderSummary(view, t)]) {
            const strings = mrkdwnStrings(msg);
            for (const s of strings) expect(liveMarkup(s), `${layout}: ${s.slice(0, 200)}`).toEqual([]);
            // The payloads are still said, as text.
            expect(strings.join('\n')).toContain('&lt;!channel&gt;');
          }
        }
      });
    }
  }

  it('a one-line answer (help, refusal, apology) escapes its top-level text too', () => {
    const msg = renderLine(`Nothing for ${PAYLOAD}`);
    for (const s of mrkdwnStrings(msg)) expect(liveMarkup(s)).toEqual([]);
  });

  it('the bot’s own links survive', () => {
    expect(liveMarkup('<https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/x|Task>')).toEqual([]);
    expect(liveMarkup('<https://evil.example/x|Open AWS console>')).toHaveLength(1);
    expect(liveMarkup('<!channel>')).toEqual(['<!channel>']);
  });
});
