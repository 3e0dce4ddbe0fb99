/**
 * Terminal rendering of a report, in the order a person needs it: the most likely cause in one sentence and its
 * fix, the evidence that decided it, what else to check, the other checks (problems first, passes folded), then
 * the task's context and the AWS calls it took.
 */
import type { TFunction } from 'i18next';
import { byWorstStatus, type CheckResult, checkKeyPrefix, type Message } from '../diagnosis/checks/types.js';
import type { TaskContext } from '../diagnosis/context.js';
import type { Cause, Report } from '../diagnosis/report.js';

/** Translates a message key with its parameters (arrays joined). */
export function say(t: TFunction, m: Message | undefined): string {
  if (!m) return '';
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.params ?? {})) params[k] = Array.isArray(v) ? v.join(', ') : v;
  return t(m.key, params) as string;
}

/** The localized title of a check. */
export function checkTitle(t: TFunction, id: string): string {
  return t(`${checkKeyPrefix(id)}.title`) as string;
}

const marks: Record<CheckResult['status'], string> = {
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
  if (c.source !== 'describe-tasks') {
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

/** The confidence of a cause as "85% · high confidence". */
export function confidenceText(t: TFunction, cause: Cause): string {
  const level =
    cause.level ?? (cause.confidence >= 0.7 ? 'high' : cause.confidence >= 0.4 ? 'medium' : 'low');
  return t('causes:render.confidence', {
    percent: Math.round(cause.confidence * 100),
    level: t(`causes:level.${level}`),
  });
}

/** The cause's short name ("VPC endpoints"), falling back to its id for causes this version has no words for. */
export function causeLabel(t: TFunction, id: string): string {
  const key = `causes:${id}.name`;
  const s = t(key) as string;
  return s === key || s === `${id}.name` ? id : s;
}

function problemLines(t: TFunction, r: CheckResult, indent: string): string[] {
  const out = [`${indent}${marks[r.status]} [${t(`status.${r.status}`)}] ${checkTitle(t, r.id)} (${r.id})`];
  out.push(`${indent}    ${say(t, r.message)}`);
  for (const e of r.evidence) out.push(`${indent}    · ${say(t, e)}`);
  if (r.remediation) out.push(`${indent}    ${t('report.fix', { text: say(t, r.remediation) })}`);
  for (const l of r.links) out.push(`${indent}    ${t('report.link', { url: l.url })}`);
  return out;
}

/** The answer: the top cause, its fix, what it rests on. */
function answerLines(t: TFunction, report: Report): string[] {
  const top = report.causes[0];
  if (!top) return [t('causes:render.noCause')];
  const summary = top.summary ? say(t, top.summary) : causeLabel(t, top.id);
  const out = [t('causes:render.answer', { summary })];
  if (top.id !== 'unknown') out.push(`  ${confidenceText(t, top)}`);
  if (top.remediation) out.push(`  ${t('report.fix', { text: say(t, top.remediation) })}`);
  for (const n of report.verdict?.notes ?? []) out.push(`  ${say(t, n)}`);
  return out;
}

/** The evidence of the top cause: the message fragments and the checks that decided it. */
function evidenceLines(t: TFunction, report: Report): string[] {
  const top = report.causes[0];
  if (!top) return [];
  const out: string[] = [];
  for (const f of (top.fragments ?? []).slice(0, 3)) {
    out.push(`  · ${t('causes:render.stopMessage', { fragment: f })}`);
  }
  // A cause no check decided (a task that did not fail to pull) carries its own evidence: the exit codes.
  if (!top.checks?.length) for (const e of top.evidence ?? []) out.push(`  · ${say(t, e)}`);
  for (const id of top.checks ?? []) {
    const r = report.checks.find((c) => c.id === id);
    if (!r) continue;
    out.push(
      `  · ${t('causes:render.check', { title: checkTitle(t, r.id), id: r.id, message: say(t, r.message) })}`,
    );
    for (const e of r.evidence) out.push(`      · ${say(t, e)}`);
    for (const l of r.links) out.push(`      ${t('report.link', { url: l.url })}`);
  }
  return out.length ? ['', t('causes:render.evidenceTitle'), ...out] : [];
}

/** What else to check: the runner-up causes, the top cause's hints, the checks that could not run. */
function alsoLines(t: TFunction, report: Report): string[] {
  const out: string[] = [];
  for (const c of report.causes.slice(1, 5)) {
    out.push(
      `  · ${t('causes:render.otherCause', {
        percent: Math.round(c.confidence * 100),
        name: causeLabel(t, c.id),
        summary: c.summary ? say(t, c.summary) : c.id,
      })}`,
    );
  }
  for (const h of report.causes[0]?.alsoCheck ?? []) out.push(`  · ${say(t, h)}`);
  for (const r of report.checks.filter((c) => c.status === 'unknown')) {
    out.push(
      `  · ${t('causes:render.unverified', { title: checkTitle(t, r.id), id: r.id, message: say(t, r.message) })}`,
    );
  }
  return out.length ? ['', t('causes:render.alsoTitle'), ...out] : [];
}

/** The checks not already shown: problems in full, passes and skips folded into one line each. */
function otherCheckLines(t: TFunction, report: Report): string[] {
  const shown = new Set(report.causes[0]?.checks ?? []);
  const rest = report.checks.filter((r) => !shown.has(r.id) && r.status !== 'unknown');
  const out: string[] = [];
  if (!report.checks.length) out.push(`  ${t('report.noChecks')}`);
  const sorted = [...rest].sort(byWorstStatus);
  for (const r of sorted.filter((x) => x.status === 'fail' || x.status === 'warn')) {
    out.push(...problemLines(t, r, '  '));
  }
  const passed = sorted.filter((r) => r.status === 'pass').map((r) => r.id);
  const skipped = sorted.filter((r) => r.status === 'skip').map((r) => r.id);
  if (passed.length) out.push(`  ${marks.pass} ${t('report.passedFolded', { ids: passed.join(', ') })}`);
  if (skipped.length) out.push(`  ${marks.skip} ${t('report.skippedFolded', { ids: skipped.join(', ') })}`);
  return out.length ? ['', t('causes:render.othersTitle'), ...out] : [];
}

/** Renders the whole report as plain text. */
export function renderText(report: Report, t: TFunction): string {
  const c = report.context;
  const lines: string[] = [];
  lines.push(t('report.title', { taskId: c.taskId }));
  lines.push(t('report.where', { cluster: c.cluster, account: c.account, region: c.region }));
  lines.push('');
  lines.push(...answerLines(t, report));
  lines.push(...evidenceLines(t, report));
  lines.push(...alsoLines(t, report));
  lines.push(...otherCheckLines(t, report));

  lines.push('', t('report.contextTitle'));
  const status = [c.lastStatus ?? '?', c.stopCode ? t('report.stopCode', { code: c.stopCode }) : undefined]
    .filter(Boolean)
    .join(' · ');
  lines.push(`  ${t('report.status', { status })}`);
  if (c.stoppedAt) lines.push(`  ${t('report.stoppedAt', { at: c.stoppedAt })}`);
  lines.push(
    `  ${c.stoppedReason ? t('report.stoppedReason', { reason: c.stoppedReason }) : t('report.noReason')}`,
  );
  for (const ct of c.containers) {
    lines.push(`  ${t('report.container', { name: ct.name, image: ct.image ?? '?' })}`);
    if (ct.reason && ct.reason !== c.stoppedReason)
      lines.push(`  ${t('report.containerReason', { reason: ct.reason })}`);
  }
  for (const l of contextLines(t, c)) lines.push(`  ${l}`);

  lines.push('');
  const a = report.aws;
  lines.push(
    report.replayedFrom
      ? t('report.awsCallsReplay', { file: report.replayedFrom, count: a.callCount, rounds: a.rounds })
      : t('report.awsCalls', { count: a.callCount, rounds: a.rounds, ms: a.wallMs }),
  );
  if (a.deadlineExceeded) lines.push(t('report.deadline'));
  return `${lines.join('\n')}\n`;
}
