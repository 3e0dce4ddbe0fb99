/**
 * Terminal rendering of a report, in the order a person needs it: the most likely cause in one sentence and its
 * fix, the evidence that decided it, what else to check, the other checks (problems first, passes folded), then
 * the task's context and the AWS calls it took. Each fact is said once, where it belongs: a problem that makes a
 * runner-up cause is shown with that cause, not again among the other checks.
 */
import type { TFunction } from 'i18next';
import { byWorstStatus, type CheckResult, checkKeyPrefix, type Message } from '../diagnosis/checks/types.js';
import type { Clue } from '../diagnosis/classify.js';
import { type FixCommand, shellLine } from '../diagnosis/commands.js';
import type { TaskContext } from '../diagnosis/context.js';
import type { Cause, ConfidenceLevel, Report } from '../diagnosis/report.js';
import { changeAnswer, changeLine, changeNotes, shownEvents } from './changes.js';
import {
  BLANK,
  bullet,
  GLUE,
  layout,
  PLAIN,
  type Role,
  type Row,
  raw,
  row,
  type Terminal,
} from './terminal.js';

/** Translates a message key with its parameters (arrays joined). */
export function say(t: TFunction, m: Message | undefined): string {
  if (!m) return '';
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.params ?? {})) {
    // `checks` holds check ids: said by their names, as the language lists them ("A, B and C", "A, B e C"), with
    // their count for the sentence's plural.
    if (k === 'checks' && Array.isArray(v)) {
      params.checks = v.map((id) => t('common:quoted', { text: checkTitle(t, id) }));
      params.count ??= v.length;
    } else params[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return t(m.key, params) as string;
}

/** The localized title of a check. */
export function checkTitle(t: TFunction, id: string): string {
  return t(`${checkKeyPrefix(id)}.title`) as string;
}

export const marks: Record<CheckResult['status'], string> = {
  fail: '✗',
  warn: '!',
  unknown: '?',
  pass: '✓',
  skip: '-',
};

/** Context lines (where each part came from). */
export function contextLines(t: TFunction, c: TaskContext): string[] {
  const out: string[] = [];
  const origin = (o: string) => t(`origin.${o}`);
  if (c.source !== 'describe-tasks' && c.source !== 'preflight') {
    out.push(t('report.rebuilt', { reason: c.fallbackReason ?? 'MISSING', source: origin(c.source) }));
  }
  const td = c.taskDefinition;
  if (td?.family) out.push(t('report.taskDefinition', { name: `${td.family}:${td.revision}` }));
  else if (c.taskDefinitionArn) {
    out.push(
      t('report.taskDefinitionUnreadable', {
        arn: c.taskDefinitionArn,
        code: c.taskDefinitionError?.code ?? '?',
      }),
    );
  }
  if (td) {
    out.push(
      td.executionRoleArn
        ? t('report.executionRole', { role: td.executionRoleArn })
        : t('report.noExecutionRole'),
    );
  }
  out.push(
    t(c.ephemeralStorage.isDefault ? 'report.platformDefaultStorage' : 'report.platform', {
      launchType: c.launchType ?? 'FARGATE',
      version: c.effectivePlatformVersion,
      os: c.runtimePlatform.os.toLowerCase(),
      arch: c.runtimePlatform.arch,
      storage: c.ephemeralStorage.sizeGiB,
    }),
  );
  if (c.serviceName) out.push(t('report.service', { name: c.serviceName }));
  out.push(
    c.network.subnetIds.length
      ? t('report.subnets', { ids: c.network.subnetIds.join(', '), origin: origin(c.origins.subnets) })
      : t('report.noSubnets'),
  );
  // A pre-flight's task has no network interface yet: nothing to say about one.
  if (c.source !== 'preflight')
    out.push(t(`report.eni.${c.eni}`, { id: c.network.eniId ?? '?', ip: c.network.privateIp ?? '?' }));
  out.push(
    c.network.securityGroupIds?.length
      ? t('report.securityGroups', {
          ids: c.network.securityGroupIds.join(', '),
          origin: origin(c.origins.securityGroups),
        })
      : t('report.noSecurityGroups'),
  );
  const ipOrigin = origin(c.origins.publicIp);
  if (c.network.publicIp)
    out.push(t('report.publicIp.assigned', { ip: c.network.publicIp, origin: ipOrigin }));
  else if (c.network.assignPublicIp === 'ENABLED')
    out.push(t('report.publicIp.enabled', { origin: ipOrigin }));
  else if (c.network.assignPublicIp === 'DISABLED')
    out.push(t('report.publicIp.disabled', { origin: ipOrigin }));
  else out.push(t('report.publicIp.unknown'));
  return out;
}

/** The confidence of a cause in words: high (≥ 0.7), medium (≥ 0.4), low. */
const levelOf = (cause: Cause): ConfidenceLevel =>
  cause.level ?? (cause.confidence >= 0.7 ? 'high' : cause.confidence >= 0.4 ? 'medium' : 'low');

/** The confidence of a cause as "85% · high confidence". */
export function confidenceText(t: TFunction, cause: Cause): string {
  return t('causes:render.confidence', {
    percent: Math.round(cause.confidence * 100),
    level: t(`causes:level.${levelOf(cause)}`),
  });
}

/** The cause's short name ("VPC endpoints"), falling back to its id for causes this version has no words for. */
export function causeLabel(t: TFunction, id: string): string {
  const key = `causes:${id}.name`;
  const s = t(key) as string;
  return s === key || s === `${id}.name` ? id : s;
}

/** A piece of the stop message in words: what it is ("the stop message names the ECR registry host …"). */
export function clueText(t: TFunction, c: Clue): string {
  const key =
    c.kind === 'host' || c.kind === 'step'
      ? `causes:render.clue.${c.kind}.${c.what ?? 'other'}`
      : `causes:render.clue.${c.kind}`;
  // A kind this version has no words for is quoted as plain words.
  return (t(key, { text: c.text, defaultValue: '' }) ||
    t('causes:render.clue.said', { text: c.text })) as string;
}

/** The clues of a cause (its fragments as plain words when it carries none). */
export function cluesOf(cause: Cause): Clue[] {
  return cause.clues ?? (cause.fragments ?? []).map((text) => ({ text, kind: 'said' as const }));
}

export interface CommandLine {
  kind: 'comment' | 'command';
  text: string;
}

/** A sentence as a shell comment: one line, whatever it contains. */
function shellComment(text: string): CommandLine {
  return { kind: 'comment', text: `# ${text.replace(/[\r\n]+/g, ' ')}` };
}

/**
 * Fix commands as lines a person copies: each command on one line, what to know about it (the account to run it
 * in, a caution, a value to fill in, where the resource lives in code) as shell comments before it, so that the
 * whole block can be pasted into a shell as it is. The text report and Slack both show these lines.
 */
export function commandLines(t: TFunction, commands: readonly FixCommand[]): CommandLine[] {
  const out: CommandLine[] = [];
  let lastIac = '';
  let lastAccount = '';
  for (const c of commands) {
    if (c.account && c.account !== lastAccount)
      out.push(shellComment(t('fix:render.account', { account: c.account })));
    lastAccount = c.account ?? '';
    if (c.note) out.push(shellComment(say(t, c.note)));
    for (const f of c.fill ?? [])
      out.push(shellComment(t('fix:render.fill', { name: f.name, what: say(t, f.what) })));
    if (c.iac) {
      const iac = t('fix:render.iac', { ...c.iac });
      if (iac !== lastIac) out.push(shellComment(iac));
      lastIac = iac;
    }
    out.push({ kind: 'command', text: shellLine(c) });
  }
  return out;
}

/** The rows of a check's commands, never wrapped or coloured (they are pasted into a shell). */
function commandRows(t: TFunction, commands: readonly FixCommand[] | undefined, indent: number): Row[] {
  if (!commands?.length) return [];
  return [
    row(indent, t('fix:render.title'), 'fix'),
    ...commandLines(t, commands).map((l) => raw(indent + 2, l.text)),
  ];
}

/** "Console: URL", kept together when wrapped. */
export function linkText(t: TFunction, url: string): string {
  return (t('report.link', { url }) as string).replace(` ${url}`, `${GLUE}${url}`);
}

/** A check that found a problem, in full: status and title, message, evidence, fix, console links. */
export function problemRows(t: TFunction, r: CheckResult, indent: number): Row[] {
  const role: Role = r.status;
  const out: Row[] = [
    bullet(
      indent,
      marks[r.status],
      `[${t(`status.${r.status}`)}] ${checkTitle(t, r.id)} (${r.id})`,
      role,
      role,
    ),
    row(indent + 4, say(t, r.message)),
  ];
  for (const e of r.evidence) out.push(bullet(indent + 4, '·', say(t, e)));
  if (r.remediation) out.push(row(indent + 4, t('report.fix', { text: say(t, r.remediation) }), 'fix'));
  out.push(...commandRows(t, r.commands, indent + 4));
  for (const l of r.links) out.push(row(indent + 4, linkText(t, l.url)));
  return out;
}

/** The answer: the top cause, its fix, what it rests on. */
function answerRows(t: TFunction, report: Report): Row[] {
  const top = report.causes[0];
  if (!top) return [row(0, t('causes:render.noCause'), 'answer')];
  const summary = top.summary ? say(t, top.summary) : causeLabel(t, top.id);
  const out = [row(0, t('causes:render.answer', { summary }), 'answer')];
  if (top.id !== 'unknown') out.push(row(2, confidenceText(t, top), levelOf(top)));
  const change = changeAnswer(t, report);
  if (change) out.push(row(2, change));
  if (top.remediation) out.push(row(2, t('report.fix', { text: say(t, top.remediation) }), 'fix'));
  // The commands of the checks that decided the answer (their fixes are the one above, in commands).
  const decided = (top.checks ?? []).flatMap((id) => report.checks.filter((c) => c.id === id));
  out.push(
    ...commandRows(
      t,
      decided.flatMap((c) => c.commands ?? []),
      2,
    ),
  );
  for (const n of report.verdict?.notes ?? []) out.push(row(2, say(t, n)));
  return out;
}

/** The evidence of the top cause: what the stop message says, in words, and the checks that decided it. */
function evidenceRows(t: TFunction, report: Report): Row[] {
  const top = report.causes[0];
  if (!top) return [];
  const out: Row[] = [];
  for (const c of cluesOf(top).slice(0, 3)) out.push(bullet(2, '·', clueText(t, c)));
  // A cause no check decided (a task that did not fail to pull) carries its own evidence: the exit codes.
  if (!top.checks?.length) for (const e of top.evidence ?? []) out.push(bullet(2, '·', say(t, e)));
  for (const id of top.checks ?? []) {
    const r = report.checks.find((c) => c.id === id);
    if (!r) continue;
    out.push(
      bullet(
        2,
        '·',
        t('causes:render.check', { title: checkTitle(t, r.id), id: r.id, message: say(t, r.message) }),
      ),
    );
    for (const e of r.evidence) out.push(bullet(6, '·', say(t, e)));
    for (const l of r.links) out.push(row(6, linkText(t, l.url)));
  }
  return out.length ? [BLANK, row(0, t('causes:render.evidenceTitle'), 'heading'), ...out] : [];
}

/** Most changes the terminal lists (the nearest the failure); the JSON report has them all. */
const MAX_CHANGE_LINES = 8;

/**
 * What changed, from CloudTrail's event history: each change on a resource behind a problem, with its console
 * page, then what could not be looked up. Nothing when no lookup was made.
 */
function changeRows(t: TFunction, report: Report): Row[] {
  const c = report.changes;
  if (!c) return [];
  const out: Row[] = [BLANK, row(0, t('changes:render.title', { from: c.from, to: c.to }), 'heading')];
  const named = report.causes[0]?.change;
  for (const e of shownEvents(c, MAX_CHANGE_LINES)) {
    out.push(bullet(2, '·', changeLine(t, e), e.id === named ? 'answer' : undefined));
    const url = e.link.url;
    out.push(row(6, (t('changes:render.link', { url }) as string).replace(` ${url}`, `${GLUE}${url}`)));
  }
  for (const n of changeNotes(t, c)) {
    out.push(
      n.problem ? bullet(2, marks.unknown, n.text, undefined, 'unknown') : bullet(2, '·', n.text, 'muted'),
    );
  }
  return out;
}

/** The problems a runner-up cause rests on, when it is listed: shown with it, not again under "Other checks". */
function runnerUps(report: Report): Array<{ cause: Cause; problems: CheckResult[] }> {
  return report.causes.slice(1, 5).map((cause) => ({
    cause,
    problems: report.checks.filter(
      (r) => cause.checks?.includes(r.id) && (r.status === 'fail' || r.status === 'warn'),
    ),
  }));
}

/**
 * What else to check: the runner-up causes (with the checks that found them, else their sentence), the top
 * cause's hints, the checks that could not run.
 */
function alsoRows(t: TFunction, report: Report): Row[] {
  const out: Row[] = [];
  for (const { cause: c, problems } of runnerUps(report)) {
    const percent = Math.round(c.confidence * 100);
    if (problems.length) {
      // The check says what it found; the cause's sentence would say it a second time.
      out.push(bullet(2, '·', t('causes:render.otherCauseFound', { percent, name: causeLabel(t, c.id) })));
      for (const r of problems) out.push(...problemRows(t, r, 6));
      continue;
    }
    out.push(
      bullet(
        2,
        '·',
        t('causes:render.otherCause', {
          percent,
          name: causeLabel(t, c.id),
          summary: c.summary ? say(t, c.summary) : c.id,
        }),
      ),
    );
  }
  for (const h of report.causes[0]?.alsoCheck ?? []) out.push(bullet(2, '·', say(t, h)));
  for (const r of report.checks.filter((c) => c.status === 'unknown')) {
    out.push(
      bullet(
        2,
        marks.unknown,
        t('causes:render.unverified', { title: checkTitle(t, r.id), id: r.id, message: say(t, r.message) }),
        undefined,
        'unknown',
      ),
    );
  }
  return out.length ? [BLANK, row(0, t('causes:render.alsoTitle'), 'heading'), ...out] : [];
}

/** Verdict notes that already say no check ran. */
const NO_CHECK_NOTES = new Set(['causes:verdict.alone.none', 'causes:verdict.not-a-pull']);

/** The checks not already shown: problems in full, passes and skips folded into one line each. */
function otherCheckRows(t: TFunction, report: Report): Row[] {
  if (!report.checks.length) {
    // The answer's note already says that no check ran (and why).
    if (report.verdict?.notes.some((n) => NO_CHECK_NOTES.has(n.key))) return [];
    return [BLANK, row(0, t('causes:render.othersTitle'), 'heading'), row(2, t('report.noChecks'))];
  }
  const shown = new Set([
    ...(report.causes[0]?.checks ?? []),
    ...runnerUps(report).flatMap((x) => x.problems.map((r) => r.id)),
  ]);
  const rest = report.checks.filter((r) => !shown.has(r.id) && r.status !== 'unknown');
  const out: Row[] = [];
  const sorted = [...rest].sort(byWorstStatus);
  for (const r of sorted.filter((x) => x.status === 'fail' || x.status === 'warn')) {
    out.push(...problemRows(t, r, 2));
  }
  const passed = sorted.filter((r) => r.status === 'pass').map((r) => r.id);
  const skipped = sorted.filter((r) => r.status === 'skip').map((r) => r.id);
  if (passed.length)
    out.push(bullet(2, marks.pass, t('report.passedFolded', { ids: passed.join(', ') }), undefined, 'pass'));
  if (skipped.length)
    out.push(bullet(2, marks.skip, t('report.skippedFolded', { ids: skipped.join(', ') }), 'muted', 'skip'));
  return out.length ? [BLANK, row(0, t('causes:render.othersTitle'), 'heading'), ...out] : [];
}

/** The task's context: status, stop reason, containers, where each part came from. */
function contextRows(t: TFunction, report: Report): Row[] {
  const c = report.context;
  const out: Row[] = [BLANK, row(0, t('report.contextTitle'), 'heading')];
  const status = [c.lastStatus ?? '?', c.stopCode ? t('report.stopCode', { code: c.stopCode }) : undefined]
    .filter(Boolean)
    .join(' · ');
  out.push(row(2, t('report.status', { status })));
  if (c.stoppedAt) out.push(row(2, t('report.stoppedAt', { at: c.stoppedAt })));
  out.push(
    row(2, c.stoppedReason ? t('report.stoppedReason', { reason: c.stoppedReason }) : t('report.noReason')),
  );
  for (const ct of c.containers) {
    out.push(row(2, t('report.container', { name: ct.name, image: ct.image ?? '?' })));
    if (ct.reason && ct.reason !== c.stoppedReason)
      out.push(row(2, t('report.containerReason', { reason: ct.reason })));
  }
  for (const l of contextLines(t, c)) out.push(row(2, l));
  return out;
}

/** The report as rows, for a caller that adds its own lines around it (the demo). */
export function reportRows(report: Report, t: TFunction): Row[] {
  const c = report.context;
  const a = report.aws;
  const footer = [
    BLANK,
    row(
      0,
      report.replayedFrom
        ? t('report.awsCallsReplay', { file: report.replayedFrom, count: a.callCount, rounds: a.rounds })
        : t('report.awsCalls', { count: a.callCount, rounds: a.rounds, ms: a.wallMs }),
      'muted',
    ),
  ];
  if (a.deadlineExceeded) footer.push(row(0, t('report.deadline')));
  return [
    row(0, t('report.title', { taskId: c.taskId }), 'title'),
    row(0, t('report.where', { cluster: c.cluster, account: c.account, region: c.region }), 'muted'),
    BLANK,
    ...answerRows(t, report),
    ...evidenceRows(t, report),
    ...changeRows(t, report),
    ...alsoRows(t, report),
    ...otherCheckRows(t, report),
    ...contextRows(t, report),
    ...footer,
  ];
}

/**
 * Renders the whole report as text: plain and unwrapped by default; for a terminal, wrapped to its width and
 * coloured when it takes colours.
 */
export function renderText(report: Report, t: TFunction, term: Terminal = PLAIN): string {
  return `${layout(reportRows(report, t), term)}\n`;
}
