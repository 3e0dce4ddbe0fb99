/**
 * The verdict: the stop message's candidates weighed against the check results. A failing check confirms a
 * candidate (or stands on its own when the message is generic or cut); checks that ran and passed overturn one;
 * where the checks could not run, the answer rests on the message alone and says so. Each cause comes with a
 * sentence and a fix naming the actual resources, the evidence that decided it and what else to look at.
 */
import {
  CAUSE_IDS,
  type CauseId,
  causeFix,
  causeHints,
  causeSummary,
  familyOf,
  notAPullMessages,
  PULL_ORDER,
} from './causes.js';
import { type CheckResult, type Message, type Params, uniqueMessages } from './checks/types.js';
import { type Classification, type Clue, classify } from './classify.js';
import type { TaskContext } from './context.js';
import { type NotAPull, notAPullFailure, stopTexts } from './not-a-pull.js';
import type { Cause, ConfidenceLevel, Verdict } from './report.js';

interface Standing {
  id: CauseId;
  /** The message's confidence in this cause. */
  msg: number;
  /** The message's confidence in the cause's family (a timeout supports every network cause). */
  family: number;
  clues: Clue[];
  fail: CheckResult[];
  warn: CheckResult[];
  pass: CheckResult[];
  unknown: CheckResult[];
  skip: CheckResult[];
  raw: number;
}

/**
 * The checks that ran and found this cause absent or irrelevant: passes, and skips that mean "does not apply"
 * (a skip that means "cannot tell", such as no manifest to read, rules nothing out).
 */
function ruledOutBy(s: Standing): CheckResult[] {
  return [...s.pass, ...s.skip.filter((r) => !r.inconclusive)];
}

/** Confidence in words: what the renderers say next to the number. */
export function levelOf(confidence: number): ConfidenceLevel {
  return confidence >= 0.7 ? 'high' : confidence >= 0.4 ? 'medium' : 'low';
}

/** The stop message of a task: its stoppedReason and each container's reason. */
export function stopMessages(ctx: TaskContext): string[] {
  return stopTexts(ctx);
}

/** A candidate's clues (its fragments as plain words when it carries none). */
const cluesOf = (c: Classification['causes'][number] | undefined): Clue[] =>
  c?.clues ?? (c?.fragments ?? []).map((text) => ({ text, kind: 'said' as const }));

function standingOf(id: CauseId, cls: Classification): Standing {
  const own = cls.causes.find((c) => c.id === id);
  const fam = familyOf(id) ?? [id];
  const family = cls.causes.filter((c) => fam.includes(c.id)).reduce((a, c) => a + c.confidence, 0);
  return {
    id,
    msg: own?.confidence ?? 0,
    family,
    clues: cluesOf(own),
    fail: [],
    warn: [],
    pass: [],
    unknown: [],
    skip: [],
    raw: 0,
  };
}

/**
 * How likely each cause is, before the shares are handed out. `neutral`: the message says nothing usable, so a
 * failing check neither gains nor loses from it.
 */
function score(s: Standing, neutral: boolean, anyFail: boolean, siblingFailed: boolean): number {
  const found = s.fail.length > 0 || s.warn.length > 0;
  const support = neutral ? 0.5 : found ? Math.max(s.msg, s.family) : s.msg;
  if (s.fail.length) return Math.min(0.97, 0.5 + 0.45 * support + 0.03 * (s.fail.length - 1));
  if (s.warn.length) return 0.15 + 0.45 * support;
  const ran = ruledOutBy(s).length > 0;
  let raw = s.msg;
  // Checks that ran and found nothing where this cause would show argue against it.
  if (ran && !s.unknown.length) raw *= 0.25;
  else if (ran) raw *= 0.6;
  // Another cause of the same family failed: it explains what the message could only narrow down.
  if (siblingFailed) raw *= 0.4;
  else if (anyFail) raw *= 0.7;
  return raw;
}

const orderOf = (id: CauseId) => PULL_ORDER.indexOf(id);

/** The image the cause is about: a deciding check's, else the one the message names, else the task's. */
function taskImage(ctx: TaskContext, cls: Classification): string | undefined {
  const failedContainer = ctx.containers.find((c) => c.reason && c.image);
  return cls.image ?? failedContainer?.image ?? ctx.containers.find((c) => c.essential)?.image;
}

/** Parameters for a cause's sentences: the task's own resources, overridden by what the deciding checks name. */
function paramsFor(s: Standing, ctx: TaskContext, cls: Classification): Params {
  const p: Params = {};
  const set = (k: string, v: Params[string]) => {
    if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) p[k] = v;
  };
  // The image this cause's own words name (with several containers, each may name its own), else the task's.
  set('image', s.clues.find((c) => c.kind === 'image')?.text ?? taskImage(ctx, cls));
  set('groups', ctx.network.securityGroupIds);
  set('vpcId', ctx.network.vpcId);
  set('service', ctx.serviceName);
  set('region', ctx.region);
  set('account', ctx.account);
  set('size', ctx.ephemeralStorage.sizeGiB);
  const os = ctx.runtimePlatform.os.startsWith('WINDOWS') ? 'windows' : 'linux';
  set('want', cls.platform ?? `${os}/${ctx.runtimePlatform.arch === 'ARM64' ? 'arm64' : 'amd64'}`);
  // What the stop message says happened, so that no sentence contradicts it (causes.ts picks the wording).
  set('dialled', cls.dialled);
  set('step', cls.step);
  const td = ctx.taskDefinition;
  if (td?.executionRoleArn) set('role', td.executionRoleArn);
  else if (td) p.noRole = true;
  // Failing checks first, then warnings: the first to name a value wins.
  const named: Params = {};
  for (const r of [...s.fail, ...s.warn]) {
    for (const m of [r.message, r.remediation]) {
      for (const [k, v] of Object.entries(m?.params ?? {})) {
        if (named[k] === undefined && v !== undefined && v !== '' && v !== '?' && v !== '—') named[k] = v;
      }
    }
  }
  Object.assign(p, named);
  // A role named by a check exists (or is the one missing): "no role" no longer applies.
  if (named.role) delete p.noRole;
  return p;
}

/** The deciding checks' evidence lines, each once. */
function evidenceOf(s: Standing): Message[] {
  return uniqueMessages([...s.fail, ...s.warn].flatMap((r) => r.evidence)).slice(0, 12);
}

const ids = (rs: CheckResult[]) => [...new Set(rs.map((r) => r.id))];

/** Framing sentences for the top cause: what the answer rests on, and any disagreement. */
function notesFor(
  top: Standing,
  standings: Map<CauseId, Standing>,
  cls: Classification,
  checks: CheckResult[],
  messages: string[],
): Message[] {
  const notes: Message[] = [];
  const found = top.fail.length + top.warn.length > 0;
  if (!found) {
    if (!checks.length) notes.push({ key: 'causes:verdict.alone.none' });
    else if (top.unknown.length) {
      notes.push({ key: 'causes:verdict.alone.unverified', params: { checks: ids(top.unknown) } });
    } else if (ruledOutBy(top).length) {
      notes.push({ key: 'causes:verdict.alone.refuted', params: { checks: ids(ruledOutBy(top)) } });
    } else notes.push({ key: 'causes:verdict.alone.unchecked' });
  } else if (!messages.length) notes.push({ key: 'causes:verdict.no-message' });
  else if (!cls.informative) notes.push({ key: 'causes:verdict.message-unrecognised' });
  else if (top.msg > 0 || top.family > 0) notes.push({ key: 'causes:verdict.agree' });

  // The message pointed elsewhere and the checks there found nothing wrong: say so.
  const said = cls.informative ? cls.causes[0] : undefined;
  if (said && said.id !== top.id && said.id !== 'unknown') {
    const s = standings.get(said.id);
    const sameFamily = (familyOf(said.id) ?? []).includes(top.id);
    if (s && !sameFamily && ruledOutBy(s).length && !s.fail.length && !s.warn.length) {
      notes.push({ key: `causes:${said.id}.contradicted`, params: { checks: ids(ruledOutBy(s)) } });
    }
  }
  return notes;
}

/** Ranks the likely causes of a task's failure from its stop message and its check results. */
export function decide(
  ctx: TaskContext,
  checks: readonly CheckResult[],
  given: Classification = classify(stopMessages(ctx)),
): { causes: Cause[]; verdict: Verdict } {
  const np = notAPullFailure(ctx, given);
  if (np) return notAPullVerdict(np);
  // ECS says the task failed to start, though its words read like one that ran: for the pull, they say nothing.
  const cls: Classification =
    given.causes[0]?.id === 'not-a-pull-failure'
      ? { ...given, causes: [{ id: 'unknown', confidence: 1, fragments: [] }], informative: false }
      : given;
  const messages = stopMessages(ctx);
  const standings = new Map<CauseId, Standing>();
  for (const id of CAUSE_IDS) {
    if (id !== 'unknown' && id !== 'not-a-pull-failure') standings.set(id, standingOf(id, cls));
  }
  for (const r of checks) {
    const s = r.cause ? standings.get(r.cause) : undefined;
    if (s) s[r.status].push(r);
  }
  const neutral = !cls.informative;
  const failing = [...standings.values()].filter((s) => s.fail.length);
  for (const s of standings.values()) {
    const fam = familyOf(s.id);
    const siblingFailed = !!fam && failing.some((f) => f.id !== s.id && fam.includes(f.id));
    s.raw = score(s, neutral, failing.length > 0, siblingFailed);
  }
  const ranked = [...standings.values()]
    .filter((s) => s.raw > 0)
    .sort((a, b) => b.raw - a.raw || orderOf(a.id) - orderOf(b.id));

  // Hand out the shares best first: the top keeps its score, the rest share what is left.
  const causes: Cause[] = [];
  let left = 1;
  for (const s of ranked) {
    const found = s.fail.length + s.warn.length > 0;
    const confidence = Math.floor(Math.min(s.raw, left) * 100 + 1e-9) / 100;
    if (confidence < (found ? 0.01 : 0.03) || causes.length >= 8) continue;
    left -= confidence;
    const params = paramsFor(s, ctx, cls);
    const fromMessage = s.msg > 0 || (found && s.family > 0);
    const cause: Cause = {
      id: s.id,
      confidence,
      level: levelOf(confidence),
      basis: found ? (fromMessage ? 'both' : 'checks') : 'message',
      checks: ids([...s.fail, ...s.warn]),
      summary: causeSummary(s.id, params),
      remediation: causeFix(s.id, params),
      evidence: evidenceOf(s),
      against: ids(ruledOutBy(s)),
    };
    const clues = fromMessage
      ? s.clues.length
        ? s.clues
        : cls.causes.filter((c) => (familyOf(s.id) ?? []).includes(c.id)).flatMap(cluesOf)
      : [];
    const unique = [...new Map(clues.map((c) => [c.text, c])).values()];
    cause.fragments = unique.map((c) => c.text);
    cause.clues = unique;
    causes.push(cause);
  }

  const unverified = ids(checks.filter((r) => r.status === 'unknown'));
  if (!causes.length) {
    // Nothing in the message, nothing failing: say that plainly rather than guess.
    return {
      causes: [
        {
          id: 'unknown',
          confidence: 1,
          level: 'low',
          basis: 'message',
          checks: [],
          summary: causeSummary('unknown'),
          remediation: causeFix('unknown'),
          fragments: [],
          evidence: [],
          against: [],
          alsoCheck: causeHints('unknown', checks),
        },
      ],
      verdict: {
        basis: 'none',
        notes: [
          {
            key: messages.length
              ? checks.length
                ? 'causes:verdict.nothing-found'
                : 'causes:verdict.alone.none'
              : 'causes:verdict.nothing-at-all',
          },
        ],
        unverified,
      },
    };
  }

  const top = causes[0]!;
  top.alsoCheck = causeHints(top.id as CauseId, checks);
  const topStanding = standings.get(top.id as CauseId)!;
  return {
    causes,
    verdict: {
      basis: top.basis ?? 'message',
      notes: notesFor(topStanding, standings, cls, [...checks], messages),
      unverified,
    },
  };
}

/**
 * The answer for a task that did not fail to pull: what ECS says it stopped for, each container's exit code and
 * reason, and nothing about its network or images (no check ran).
 */
function notAPullVerdict(np: NotAPull): { causes: Cause[]; verdict: Verdict } {
  const shown =
    np.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ??
    np.containers.find((c) => c.reason) ??
    np.containers[0];
  const params: Params = {};
  if (np.status) params.status = np.status;
  if (np.reason) params.reason = np.reason;
  if (np.stopCode) params.stopCode = np.stopCode;
  if (shown) params.container = shown.name;
  if (shown?.exitCode !== undefined) params.exitCode = shown.exitCode;
  if (shown?.reason) params.containerReason = shown.reason;
  const { summary, fix } = notAPullMessages(np.kind, params);
  const evidence: Message[] = [];
  if (np.stopCode)
    evidence.push({ key: 'causes:not-a-pull-failure.evidence.stop-code', params: { stopCode: np.stopCode } });
  for (const c of np.containers.slice(0, 6)) {
    const p = { container: c.name, exitCode: c.exitCode ?? '', reason: c.reason ?? '' };
    const which = c.exitCode !== undefined ? (c.reason ? 'exit-reason' : 'exit') : 'reason';
    evidence.push({ key: `causes:not-a-pull-failure.evidence.${which}`, params: p });
  }
  return {
    causes: [
      {
        id: 'not-a-pull-failure',
        confidence: 1,
        level: 'high',
        basis: 'message',
        checks: [],
        summary,
        remediation: fix,
        fragments: np.reason ? [np.reason] : [],
        clues: np.reason ? [{ text: np.reason, kind: 'said' }] : [],
        evidence,
        against: [],
        alsoCheck: causeHints('not-a-pull-failure'),
      },
    ],
    verdict: { basis: 'message', notes: [{ key: 'causes:verdict.not-a-pull' }], unverified: [] },
  };
}
