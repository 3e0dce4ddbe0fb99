/** Terminal rendering of a report: the answer first, then the checks, then the context it rests on. */
import type { TFunction } from 'i18next';
import { type CheckResult, checkKeyPrefix, type Message } from '../diagnosis/checks/types.js';
import type { TaskContext } from '../diagnosis/context.js';
import type { Report } from '../diagnosis/report.js';

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

const statusOrder: Record<CheckResult['status'], number> = { fail: 0, warn: 1, unknown: 2, pass: 3, skip: 4 };
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

/** The answer: the most likely cause in one sentence, the fix, the evidence that decided it. */
export function answerLines(report: Report, t: TFunction): string[] {
  const lines: string[] = [];
  const top = report.causes[0];
  if (!top) return [t('report.noCauses')];
  const percent = Math.round(top.confidence * 100);
  lines.push(
    `${t('causes:verdict.most-likely')} (${t('causes:verdict.confidence', { percent })}, ${t(`causes:verdict.basis.${top.basis ?? 'message'}`)}):`,
  );
  lines.push(`  ${say(t, top.summary)}`);
  if (top.remediation) lines.push(`  ${t('report.fix', { text: say(t, top.remediation) })}`);
  const deciding = report.checks.filter((c) => top.checks?.includes(c.id));
  if (deciding.length) {
    lines.push(`  ${t('causes:verdict.evidence')}:`);
    for (const c of deciding) {
      lines.push(`    · ${say(t, c.message)}`);
      for (const e of c.evidence) lines.push(`      ${say(t, e)}`);
      for (const l of c.links) lines.push(`      ${t('report.link', { url: l.url })}`);
    }
  }
  if (top.fragments?.length)
    lines.push(`  ${t('causes:verdict.fragments', { fragments: top.fragments.join(', ') })}`);
  if (report.verdict.restsOnMessage) lines.push(`  ${t('causes:verdict.rests-on-message')}`);
  if (report.verdict.unknownChecks.length) {
    lines.push(
      `  ${t('causes:verdict.unknown-checks', { count: report.verdict.unknownChecks.length, ids: report.verdict.unknownChecks.join(', ') })}`,
    );
  }
  const others = report.causes.slice(1).filter((c) => c.confidence >= 0.1);
  if (others.length) {
    lines.push(`${t('causes:verdict.also-check')}:`);
    for (const c of others) lines.push(`  · ${Math.round(c.confidence * 100)}% ${say(t, c.summary)}`);
  }
  return lines;
}

/** Renders the whole report as plain text: the answer first, then the checks, then what it rests on. */
export function renderText(report: Report, t: TFunction): string {
  const c = report.context;
  const lines: string[] = [];
  lines.push(t('report.title', { taskId: c.taskId }));
  lines.push(t('report.where', { cluster: c.cluster, account: c.account, region: c.region }));
  lines.push('');
  lines.push(...answerLines(report, t));

  lines.push('');
  const status = [c.lastStatus ?? '?', c.stopCode ? t('report.stopCode', { code: c.stopCode }) : undefined]
    .filter(Boolean)
    .join(' · ');
  lines.push(t('report.status', { status }));
  if (c.stoppedAt) lines.push(t('report.stoppedAt', { at: c.stoppedAt }));
  lines.push(c.stoppedReason ? t('report.stoppedReason', { reason: c.stoppedReason }) : t('report.noReason'));
  for (const ct of c.containers) {
    lines.push(t('report.container', { name: ct.name, image: ct.image ?? '?' }));
    if (ct.reason && ct.reason !== c.stoppedReason)
      lines.push(t('report.containerReason', { reason: ct.reason }));
  }

  lines.push('', t('report.checksTitle'));
  if (!report.checks.length) lines.push(`  ${t('report.noChecks')}`);
  const sorted = [...report.checks].sort((a, b) => statusOrder[a.status] - statusOrder[b.status]);
  const passed: string[] = [];
  const skipped: string[] = [];
  for (const r of sorted) {
    if (r.status === 'pass') {
      passed.push(r.id);
      continue;
    }
    if (r.status === 'skip') {
      skipped.push(r.id);
      continue;
    }
    lines.push(`  ${marks[r.status]} [${t(`status.${r.status}`)}] ${checkTitle(t, r.id)} (${r.id})`);
    lines.push(`      ${say(t, r.message)}`);
    for (const e of r.evidence) lines.push(`      · ${say(t, e)}`);
    if (r.remediation) lines.push(`      ${t('report.fix', { text: say(t, r.remediation) })}`);
    for (const l of r.links) lines.push(`      ${t('report.link', { url: l.url })}`);
  }
  if (passed.length) lines.push(`  ${marks.pass} ${t('report.passedFolded', { ids: passed.join(', ') })}`);
  if (skipped.length) lines.push(`  ${marks.skip} ${t('report.skippedFolded', { ids: skipped.join(', ') })}`);

  lines.push('', t('report.contextTitle'));
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
