/**
 * The Workflow Builder step "Diagnose an ECS task" (a Bolt custom function, declared under `functions:` in
 * manifest.yml): a task ARN or ECS console URL in, and optionally a channel to post the full report in and a
 * language; out the top cause's id, its summary in one line, the confidence (percent) and the link to the report.
 *
 * Which accounts it may diagnose: those slack.workflow.accounts lists (none unless set), and, when an answer channel
 * is given, only those of them that channel may diagnose too (the workflow's author names the channel: it narrows
 * what the step may read, never widens it). Every workflow run counts against one shared "person" of the rate
 * limits (and the channel's and the account's). Bad input, a refused account, a limit, a task that cannot be read:
 * the step fails with one sentence in the step's language, which Slack shows the person who ran the workflow.
 */
import type { App } from '@slack/bolt';
import { parseTaskTarget } from '../../aws/target.js';
import type { Language } from '../../config.js';
import { isUserError } from '../../errors.js';
import { toLanguage, translator } from '../../i18n.js';
import { say } from '../../render/text.js';
import { channelLanguage, impliedAccount, mayDiagnose, refusalMessage, WORKFLOW_SCOPE } from '../access.js';
import { claim, firstDelivery } from '../dedupe.js';
import { requesterOf, type SlackDeps } from '../deps.js';
import { diagnoseTasks, toRequest, userErrorMessage } from '../diagnoser.js';
import { guarded } from '../guard.js';
import { cannotWriteThere, permalink, publishReply, type ReplyState, type SlackClient } from '../reply.js';

/** The step's callback id (manifest.yml `functions:`). */
export const STEP_CALLBACK_ID = 'diagnose_ecs_task';

/** The step's outputs, as manifest.yml declares them. */
export interface StepOutputs {
  cause_id: string;
  summary: string;
  /** Percent, 0 to 100. */
  confidence: number;
  /** The full report's permalink; absent when no channel was given. */
  report_url?: string;
}

export interface StepRun {
  inputs: Record<string, unknown>;
  executionId: string;
  team: string | undefined;
  complete: (outputs: StepOutputs) => Promise<unknown>;
  fail: (error: string) => Promise<unknown>;
}

const channelPattern = /^[CGD][A-Z0-9]{6,}$/;

export async function handleDiagnoseStep(deps: SlackDeps, client: SlackClient, run: StepRun): Promise<void> {
  const { inputs } = run;
  const channelIn = typeof inputs.channel === 'string' && inputs.channel ? inputs.channel : undefined;
  const langIn = typeof inputs.language === 'string' && inputs.language.trim() ? inputs.language : undefined;
  const channel = channelIn && channelPattern.test(channelIn) ? channelIn : undefined;
  const lang: Language = toLanguage(langIn) ?? channelLanguage(deps.config, channel);
  const t = translator(lang);
  let finished = false;
  const fail = async (text: string) => {
    if (finished) return;
    finished = true;
    deps.log.info({ executionId: run.executionId, channel }, 'workflow step failed');
    await run.fail(text);
  };
  await guarded(
    deps,
    'workflow',
    () => lang,
    fail,
    async () => {
      if (langIn && !toLanguage(langIn)) {
        await fail(t('slack:step.bad-language', { value: langIn.slice(0, 40) }));
        return;
      }
      if (channelIn && !channel) {
        await fail(t('slack:step.bad-channel', { value: channelIn.slice(0, 40) }));
        return;
      }
      const ref = typeof inputs.task === 'string' ? inputs.task : '';
      const scope = channel ?? WORKFLOW_SCOPE;
      let target: ReturnType<typeof parseTaskTarget>;
      try {
        const implied = impliedAccount(deps.config, scope);
        target = parseTaskTarget(ref, implied ? { account: implied } : {});
      } catch (err) {
        if (!isUserError(err)) throw err;
        await fail(say(t, userErrorMessage(err)));
        return;
      }
      if (!target.account) {
        await fail(t('slack:step.needs-account', { id: target.taskId }));
        return;
      }
      // A workflow reads only what slack.workflow.accounts allows, wherever it answers: the answer channel is the
      // workflow author's to name, so its rules narrow what the step may read and never widen it.
      const refusedBy = [WORKFLOW_SCOPE, ...(channel ? [channel] : [])].find(
        (s) => !mayDiagnose(deps.config, deps.pool, s, target.account, target.partition),
      );
      if (refusedBy) {
        deps.log.info(
          { channel: refusedBy, account: target.account },
          'account not allowed for the workflow step',
        );
        await fail(say(t, refusalMessage(deps.config, refusedBy, target.account)));
        return;
      }
      const task = { target };
      const items = await diagnoseTasks(deps, [task], {
        channel: scope,
        ...(channel ? { alsoScope: WORKFLOW_SCOPE } : {}),
        requester: requesterOf(run.team, 'workflow'),
        surface: 'workflow',
      });
      const only = items[0]!;
      if (only.kind !== 'report') {
        await fail(only.kind === 'error' ? say(t, only.message) : t('slack:errors.stale'));
        return;
      }
      let reportUrl: string | undefined;
      if (channel) {
        const state: ReplyState = {
          v: 1,
          channel,
          layout: 'thread',
          items,
          requests: [toRequest(task)],
          more: 0,
          viaWorkflow: true,
        };
        try {
          const posted = await publishReply(deps, client, state, lang, {});
          if (posted) reportUrl = await permalink(deps, client, posted.channel, posted.ts);
        } catch (err) {
          if (!cannotWriteThere(err)) throw err;
          await fail(t('slack:step.cannot-post', { channel }));
          return;
        }
      }
      const top = only.report.causes[0];
      const outputs: StepOutputs = {
        cause_id: top?.id ?? 'none',
        summary: (top ? say(t, top.summary) || top.id : t('slack:cause.none')).replace(/\s+/g, ' ').trim(),
        confidence: top ? Math.round(Math.max(0, Math.min(1, top.confidence)) * 100) : 0,
        ...(reportUrl ? { report_url: reportUrl } : {}),
      };
      finished = true;
      await run.complete(outputs);
      deps.log.info({ executionId: run.executionId, cause: outputs.cause_id }, 'workflow step completed');
    },
  );
}

export function registerWorkflowStep(app: App, deps: SlackDeps): void {
  app.function(STEP_CALLBACK_ID, async ({ inputs, complete, fail, client, body, event }) => {
    const executionId = (event as { function_execution_id?: string }).function_execution_id ?? '';
    // Slack delivers an event again when it thinks it was not acknowledged: one run per execution.
    if (!(await firstDelivery(deps, body as { event_id?: unknown }, {}))) return;
    if (!executionId || !(await claim(deps, `step:${executionId}`))) return;
    await deps.burst?.settled();
    const team = (body as { team_id?: unknown }).team_id;
    await handleDiagnoseStep(deps, client, {
      inputs: (inputs ?? {}) as Record<string, unknown>,
      executionId,
      team: typeof team === 'string' ? team : undefined,
      complete: (outputs) => complete({ outputs: { ...outputs } }),
      fail: (error) => fail({ error }),
    });
  });
}
