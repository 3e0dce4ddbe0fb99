/** Running one check over a facts fixture, and asserting its words exist in both languages. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConsoleLinks } from '../../src/aws/console-links.js';
import { runChecks } from '../../src/diagnosis/checks/index.js';
import type { Check, CheckResult, Message } from '../../src/diagnosis/checks/types.js';
import { awsInvocations, shellLine } from '../../src/diagnosis/commands.js';
import { deriveContext, type TaskContext } from '../../src/diagnosis/context.js';
import type { EniRecord } from '../../src/diagnosis/facts/ec2.js';
import type { ServiceRecord, TaskDefinitionRecord, TaskFact } from '../../src/diagnosis/facts/ecs.js';
import type { Fact, FactMap, FactName } from '../../src/diagnosis/facts/types.js';
import type { SavedFacts } from '../../src/diagnosis/report.js';
import { i18n } from '../../src/i18n.js';
import { modelsOrSkip, policyProblems, validateInvocation } from './aws-cli-models.js';
import { fixturesDir } from './aws-wire.js';

/** A fresh copy of a saved-facts fixture (test/fixtures/<path>). */
export function loadFacts(path: string): SavedFacts {
  return JSON.parse(readFileSync(join(fixturesDir, path), 'utf8')) as SavedFacts;
}

/** The value of a fact in a fixture, to edit in place. */
export function value<K extends FactName>(saved: SavedFacts, name: K): FactMap[K] {
  const f = saved.facts[name] as Fact<FactMap[K]> | undefined;
  if (!f?.ok) throw new Error(`fixture has no value for ${name}`);
  return f.value;
}

/** Replaces a fact's value, or makes it an error. */
export function setFact(saved: SavedFacts, name: string, v: unknown): void {
  saved.facts[name] = { ok: true, round: 3, value: v };
}

export function denyFact(saved: SavedFacts, name: string, action: string): void {
  saved.facts[name] = {
    ok: false,
    round: 3,
    error: { kind: 'denied', code: 'UnauthorizedOperation', message: 'not authorized', action },
  };
}

export function contextOf(saved: SavedFacts): TaskContext {
  const f = saved.facts;
  return deriveContext(saved.target, {
    task: f['ecs.task'] as Fact<TaskFact>,
    taskDefinition: f['ecs.taskDefinition'] as Fact<TaskDefinitionRecord> | undefined,
    eni: f['ec2.taskEni'] as Fact<EniRecord> | undefined,
    service: f['ecs.service'] as Fact<ServiceRecord> | undefined,
  });
}

/** Runs one check over the fixture (through the real runner) and checks its words. */
export async function runCheck(check: Check, saved: SavedFacts): Promise<CheckResult> {
  const ctx = contextOf(saved);
  const [result] = await runChecks(
    [check],
    ctx,
    saved.facts,
    new ConsoleLinks(ctx.partition, ctx.region, ctx.account),
    (id, err) => {
      throw new Error(`check ${id} threw: ${String(err)}`);
    },
  );
  expectWords(result!);
  expectCommands(result!);
  if (process.env.ECS_PULL_COMMANDS_LOG && result!.commands)
    (await import('node:fs')).appendFileSync(
      process.env.ECS_PULL_COMMANDS_LOG,
      `${result!.id} ${result!.message.key}\n`,
    );
  return result!;
}

function messages(r: CheckResult): Message[] {
  return [
    r.message,
    ...r.evidence,
    ...(r.remediation ? [r.remediation] : []),
    ...(r.commands ?? []).flatMap((c) => [...(c.note ? [c.note] : []), ...(c.fill ?? []).map((f) => f.what)]),
  ];
}

/**
 * A result's fix commands: only on a failure or a warning, each writable as a shell line, and every AWS CLI call
 * valid against the CLI's service models (botocore's): the operation, each option and its shape, the required
 * ones. Every check test that runs a check through runCheck checks the commands of what it found.
 */
export function expectCommands(r: CheckResult): void {
  if (!r.commands) return;
  expect(['fail', 'warn'], `${r.id} has commands on a ${r.status}`).toContain(r.status);
  expect(r.commands.length).toBeGreaterThan(0);
  for (const c of r.commands) expect(() => shellLine(c)).not.toThrow();
  if (!modelsOrSkip()) return;
  for (const inv of awsInvocations(r.commands)) {
    expect(validateInvocation(inv), `${r.id}: ${inv.args.join(' ')}`).toEqual([]);
    expect(policyProblems(inv), `${r.id}: ${inv.args.join(' ')}`).toEqual([]);
  }
}

/** Every message key of the result exists, non-empty, in en and it, and no {{variable}} is left unfilled. */
export function expectWords(r: CheckResult): void {
  const i = i18n();
  for (const m of messages(r)) {
    for (const lng of ['en', 'it']) {
      // A sentence with a count has a form per plural category (`key_one`, `key_other`).
      const exists = i.exists(m.key, { lng }) || i.exists(`${m.key}_other`, { lng });
      expect(exists, `${m.key} missing in ${lng}`).toBe(true);
      const text = i.getFixedT(lng)(m.key, m.params as Record<string, unknown>) as string;
      expect(text.trim(), `${m.key} empty in ${lng}`).not.toBe('');
      expect(text, `${m.key} has an unfilled variable in ${lng}`).not.toMatch(/\{\{/);
    }
  }
}

/** The rendered English text of a result's message (for meaning assertions). */
export function english(m: Message): string {
  return i18n().getFixedT('en')(m.key, m.params as Record<string, unknown>) as string;
}

/** All evidence lines in English. */
export function evidenceText(r: CheckResult): string {
  return r.evidence.map(english).join('\n');
}

/** `count` release images 2.15.0… pushed an hour apart, newest first. */
export function releases(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    tags: [`2.15.${count - 1 - i}`],
    pushedAt: new Date(Date.parse('2026-11-28T06:00:00.000Z') - i * 3600_000).toISOString(),
    status: 'ACTIVE',
  }));
}

/** Makes the fixture's first container run `image` (task and task definition), with extra definition fields. */
export function useImage(s: SavedFacts, image: string, extra: Record<string, unknown> = {}): void {
  value(s, 'ecs.task').task.containers![0]!.image = image;
  Object.assign(value(s, 'ecs.taskDefinition').containerDefinitions![0]!, { image, ...extra });
}
