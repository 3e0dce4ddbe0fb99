/**
 * Every demo scenario, replayed through the real checks and verdict, rendered for Slack in both languages and in
 * every layout the bot posts (a reply with buttons, a thread re-run, an automatic reply, a channel summary, one
 * among several tasks), stays within Block Kit's limits as checked by the independent validator.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayScenario, scenarioNames } from '../../src/cli/demo.js';
import type { Language } from '../../src/config.js';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { LIMITS } from '../../src/render/blockkit.js';
import { type ReplyItem, type ReplyView, renderReply, renderSummary } from '../../src/render/blocks.js';
import { say } from '../../src/render/text.js';
import { ACTION_LANG, ACTION_RERUN } from '../../src/slack/buttons.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';

const dir = join(import.meta.dirname, '..', '..', 'demo', 'scenarios');
const names = scenarioNames(dir);
const langs: Language[] = ['en', 'it'];

function views(report: Report): Array<[string, ReplyView]> {
  const one: ReplyItem = { kind: 'report', report };
  const arns = [report.context.taskArn ?? report.target.taskArn ?? report.context.taskId];
  const actions = { stateKey: 'demo-state-key', layout: 'command' as const, arns };
  return [
    ['reply with buttons', { items: [one], more: 0, requestedBy: 'U0ASKER01', actions }],
    [
      're-run in a thread',
      {
        items: [one],
        more: 0,
        rerun: { by: 'U0RERUN01', at: 1_764_320_000 },
        actions: { ...actions, layout: 'thread' },
      },
    ],
    ['automatic reply', { items: [one], more: 0 }],
    ['three tasks', { items: [one, one, one], more: 2, actions: { ...actions, arns: [...arns, ...arns] } }],
  ];
}

describe('demo scenarios on Slack: Block Kit limits in every layout and language', () => {
  const reports = new Map<string, Report>();
  beforeAll(async () => {
    for (const name of names) reports.set(name, await replayScenario(name, dir));
  });

  it('covers every scenario', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    for (const lang of langs) {
      it(`${name} · ${lang}`, () => {
        const t = translator(lang);
        const report = reports.get(name)!;
        for (const [layout, view] of views(report)) {
          const reply = renderReply(view, t, lang);
          expect(blockKitViolations(reply), `${layout}: reply`).toEqual([]);
          expect(reply.blocks.length, layout).toBeLessThanOrEqual(LIMITS.blocks);
          expect(reply.text.length, layout).toBeLessThanOrEqual(LIMITS.messageText);
          const summary = renderSummary(view, t);
          expect(blockKitViolations(summary), `${layout}: summary`).toEqual([]);
          if (view.actions) {
            const last = reply.blocks.at(-1)!;
            expect(last.type, layout).toBe('actions');
            const ids = last.type === 'actions' ? last.elements.map((e) => e.action_id) : [];
            expect(ids, layout).toEqual([ACTION_RERUN, ACTION_LANG]);
          }
          const all = JSON.stringify(reply.blocks);
          expect(all, layout).not.toContain('{{');
          expect(all, layout).not.toMatch(/\bundefined\b/);
        }
        // The answer comes first: the top cause's sentence is in the text a notification shows.
        const single = renderReply(views(report)[0]![1], t, lang);
        expect(single.text).toContain(say(t, report.causes[0]!.summary));
        // Buttons against the renderer's own constants too (the validator has its own copy of the numbers).
        for (const b of single.blocks) {
          if (b.type !== 'actions') continue;
          for (const e of b.elements) {
            expect(e.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
            if (e.url) expect(e.url.length).toBeLessThanOrEqual(LIMITS.buttonUrl);
          }
        }
      });
    }
  }
});
