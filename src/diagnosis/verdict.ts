/**
 * The verdict: what the stop message suggests, weighed against what the checks found. A failing check confirms
 * a candidate from the message or overturns it; checks that all pass make a message candidate unlikely; where
 * the checks could not run, the answer rests on the message alone and says so.
 */
import { type CauseId, causeOfCheck, familyOf } from './causes.js';
import type { CheckResult } from './checks/types.js';
import { classify } from './classify.js';
import type { TaskContext } from './context.js';
import type { Cause, Verdict } from './report.js';

interface Tally {
  msg: number;
  failing: CheckResult[];
  warning: CheckResult[];
  related: CheckResult[];
}

/** Ranks the causes for a task from its stop message and its check results. */
export function decide(ctx: TaskContext, checks: CheckResult[]): { causes: Cause[]; verdict: Verdict } {
  const cls = classify(
    ctx.stoppedReason,
    ctx.containers.map((c) => c.reason),
  );
  const tally = new Map<CauseId, Tally>();
  const get = (id: CauseId) => {
    let t = tally.get(id);
    if (!t) {
      t = { msg: 0, failing: [], warning: [], related: [] };
      tally.set(id, t);
    }
    return t;
  };
  for (const c of cls.causes) get(c.id).msg = c.confidence;
  for (const r of checks) {
    const id = causeOfCheck(r.id, r.message.key);
    if (!id) continue;
    const t = get(id);
    t.related.push(r);
    if (r.status === 'fail') t.failing.push(r);
    else if (r.status === 'warn') t.warning.push(r);
  }
  const confirmedFamilies = new Set(
    [...tally.entries()].filter(([, t]) => t.failing.length).map(([id]) => familyOf(id)),
  );
  const scored = [...tally.entries()]
    .filter(([id]) => id !== 'unknown')
    .map(([id, t]) => {
      let score: number;
      let basis: Cause['basis'];
      if (t.failing.length) {
        score = Math.min(0.98, 0.7 + 0.3 * t.msg + 0.03 * (t.failing.length - 1));
        basis = t.msg > 0 ? 'both' : 'checks';
      } else if (t.warning.length) {
        score = Math.min(0.6, 0.25 + 0.45 * t.msg);
        basis = t.msg > 0 ? 'both' : 'checks';
      } else {
        const ran = t.related.filter((r) => r.status === 'pass' || r.status === 'skip');
        const overturned =
          t.related.length > 0 && ran.length === t.related.length && ran.some((r) => r.status === 'pass');
        // A sibling in the same family already explained the failure: the message's vaguer guesses step back.
        const sibling = confirmedFamilies.has(familyOf(id));
        score = t.msg * (overturned ? 0.25 : 0.75) * (sibling ? 0.5 : 1);
        basis = 'message';
      }
      return { id, t, score, basis };
    })
    .filter((x) => x.score >= 0.02)
    .sort((a, b) => b.score - a.score);

  const unknownChecks = checks.filter((c) => c.status === 'unknown').map((c) => c.id);
  if (!scored.length) {
    return {
      causes: [
        {
          id: 'unknown',
          confidence: 0.5,
          basis: 'message',
          checks: [],
          summary: { key: 'causes:unknown.summary' },
          remediation: { key: 'causes:unknown.fix' },
        },
      ],
      verdict: { basis: 'none', restsOnMessage: false, unknownChecks, fragments: cls.fragments },
    };
  }
  const causes: Cause[] = scored.slice(0, 5).map(({ id, t, score, basis }) => {
    const deciding = [...t.failing, ...t.warning];
    const fix = deciding.find((r) => r.remediation)?.remediation;
    return {
      id,
      confidence: Math.round(score * 100) / 100,
      basis,
      checks: deciding.map((r) => r.id),
      summary: { key: `causes:${id}.summary` },
      remediation: fix ?? { key: `causes:${id}.fix` },
      ...(basis !== 'checks' ? { fragments: cls.fragments } : {}),
    };
  });
  const top = causes[0]!;
  return {
    causes,
    verdict: {
      basis: top.basis === 'message' ? 'message' : top.basis === 'both' ? 'both' : 'checks',
      restsOnMessage: top.basis === 'message',
      unknownChecks,
      fragments: cls.fragments,
    },
  };
}
