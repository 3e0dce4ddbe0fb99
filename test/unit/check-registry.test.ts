/**
 * The check registry: every check is registered once, lives where its id says, points at a known cause, has a
 * title in both languages and a test of its own, and reads only facts whose providers declare their IAM actions.
 * Adding a check without one of these fails here, naming what is missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS, PULL_ORDER } from '../../src/diagnosis/causes.js';
import { allChecks } from '../../src/diagnosis/checks/index.js';
import { checkKeyPrefix } from '../../src/diagnosis/checks/types.js';
import { providers } from '../../src/diagnosis/facts/index.js';
import { i18n } from '../../src/i18n.js';

const root = join(import.meta.dirname, '..', '..');
const checksDir = join(root, 'src', 'diagnosis', 'checks');
const testsDir = join(root, 'test', 'unit', 'checks');
/**
 * What only a task that ran has: its stop message (stop reason, code, time, status, its containers' reasons), the
 * zone it ran in, its ENI's addresses. A check reading any of these declares `failedTask`.
 */
const FAILED_TASK_READS =
  /ctx\.(?:stoppedReason|stopCode|stoppedAt|lastStatus|availabilityZone)\b|ctx\.network\.(?:publicIp|eniId|privateIp)\b|stopTexts\(|\bc\.reason\b/;

/** Folders of checks.ts that are not check namespaces. */
const NOT_NAMESPACES = new Set(['shared']);

const parts = (id: string) => {
  const dot = id.indexOf('.');
  return { ns: id.slice(0, dot), name: id.slice(dot + 1) };
};

describe('check registry: one check, one place', () => {
  it('ids are unique and shaped namespace.name', () => {
    const ids = allChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
  });

  it('every cause has a place in the order a pull meets causes (the verdict breaks ties by it)', () => {
    expect([...PULL_ORDER].sort()).toEqual([...CAUSE_IDS].sort());
  });

  it('every file in a namespace folder is a registered check, and every check has its file', () => {
    const files = readdirSync(checksDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !NOT_NAMESPACES.has(d.name))
      .flatMap((d) =>
        readdirSync(join(checksDir, d.name))
          .filter((f) => f.endsWith('.ts'))
          .map((f) => `${d.name}.${f.slice(0, -3)}`),
      )
      .sort();
    expect(files).toEqual(allChecks.map((c) => c.id).sort());
  });

  for (const check of allChecks) {
    const { ns, name } = parts(check.id);
    describe(check.id, () => {
      it('is the export of the file its id names', async () => {
        const mod = (await import(join(checksDir, ns, `${name}.ts`))) as Record<string, unknown>;
        expect(Object.values(mod)).toContain(check);
      });

      it('declares the commands that apply its fixes (checked against the AWS CLI models by its own test)', () => {
        expect(typeof check.commands, `${check.id} has no commands(result, input)`).toBe('function');
      });

      it('points at a known cause', () => {
        expect(CAUSE_IDS).toContain(check.cause);
        expect(check.cause).not.toBe('unknown');
      });

      it('has a title in English and Italian', () => {
        const key = `${checkKeyPrefix(check.id)}.title`;
        for (const lng of ['en', 'it']) expect(i18n().exists(key, { lng }), `${key} in ${lng}`).toBe(true);
      });

      it('declares "cannot tell" skips that exist in both languages', () => {
        if (!Array.isArray(check.cannotTell)) return;
        for (const k of check.cannotTell) {
          const key = `${checkKeyPrefix(check.id)}.${k}`;
          expect(k).toMatch(/^skip\./);
          for (const lng of ['en', 'it']) expect(i18n().exists(key, { lng }), `${key} in ${lng}`).toBe(true);
        }
      });

      it('has its own test file that describes it', () => {
        const file = join(testsDir, ns, `${name}.test.ts`);
        expect(existsSync(file), `${file} is missing`).toBe(true);
        expect(readFileSync(file, 'utf8')).toContain(`describe('${check.id}:`);
      });

      it('declares what it reads of the failed task (a pre-flight has none), and only then', () => {
        const source = readFileSync(join(checksDir, ns, `${name}.ts`), 'utf8');
        const reads = FAILED_TASK_READS.test(source);
        expect(check.failedTask !== undefined, `reads the failed task: ${reads}`).toBe(reads);
      });

      it('reads only facts that have a provider declaring its IAM actions', () => {
        expect(check.needs.length).toBeGreaterThan(0);
        for (const fact of check.needs) {
          const p = providers.get(fact);
          expect(p, `no provider for ${fact}`).toBeDefined();
          expect(Array.isArray(p!.actions), `${fact} declares no actions`).toBe(true);
          for (const a of p!.actions) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
        }
      });
    });
  }
});
