/**
 * The offline demo: one bundled scenario for every cause the engine knows (taken from the cause registry), each
 * replayed through the real checks and verdict to that cause, and rendered in both languages with every message
 * translated. Then `ecs-pull demo` itself, in-process: the default run, --list, --json, an unknown scenario.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO,
  findScenariosDir,
  replayScenario,
  scenarioDescription,
  scenarioNames,
} from '../../src/cli/demo.js';
import { run } from '../../src/cli.js';
import type { Language } from '../../src/config.js';
import { CAUSE_IDS, NETWORK_FAMILY } from '../../src/diagnosis/causes.js';
import type { Message } from '../../src/diagnosis/checks/types.js';
import type { Report, SavedFacts } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { renderReply, renderSummary } from '../../src/render/blocks.js';
import { renderJson } from '../../src/render/json.js';
import { causeLabel, renderText, say } from '../../src/render/text.js';
import { captureIo, runCli } from '../helpers/cli.js';

const langs: Language[] = ['en', 'it'];
const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'demo', 'scenarios');

/** Every message of a report: what the renderers translate. */
function messagesOf(r: Report): Message[] {
  return [
    ...r.checks.flatMap((c) => [c.message, ...c.evidence, ...(c.remediation ? [c.remediation] : [])]),
    ...r.causes.flatMap((c) => [
      ...(c.summary ? [c.summary] : []),
      ...(c.remediation ? [c.remediation] : []),
      ...(c.evidence ?? []),
      ...(c.alsoCheck ?? []),
    ]),
    ...r.verdict.notes,
  ];
}

/** What i18next returns for a key it does not have: the key, with or without its namespace. */
function untranslated(t: TFunction, m: Message): boolean {
  const s = say(t, m);
  return s === m.key || s === m.key.split(':').pop();
}

/** Every `text` string in a JSON value (Block Kit text objects, the JSON report's rendered messages). */
function textsIn(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(textsIn);
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'text' && typeof x === 'string' ? [x] : textsIn(x)));
}

function expectClean(text: string, where: string) {
  expect(text, where).not.toContain('{{');
  expect(text, where).not.toContain('}}');
  expect(text, where).not.toMatch(/\bundefined\b/);
  expect(text, where).not.toMatch(/\bnull\b/);
  expect(text, where).not.toContain('[object Object]');
}

describe('demo scenarios: one per cause the engine knows', () => {
  const reports = new Map<string, Report>();
  beforeAll(async () => {
    for (const name of scenarioNames(dir)) reports.set(name, await replayScenario(name, dir));
  });

  it('are found from the source tree, and every file is a scenario of a known cause', () => {
    expect(findScenariosDir()).toBe(dir);
    expect(scenarioNames(dir)).toContain(DEFAULT_SCENARIO);
    // Nothing extra: a file that is not a cause id would be a scenario nobody can name in the registry.
    expect(scenarioNames(dir).filter((n) => !(CAUSE_IDS as readonly string[]).includes(n))).toEqual([]);
    // The default is a network scenario: the most common failure.
    expect(NETWORK_FAMILY).toContain(DEFAULT_SCENARIO);
  });

  for (const id of CAUSE_IDS) {
    describe(id, () => {
      it('has a scenario file in the format --save-facts writes, with fake ids', () => {
        const file = join(dir, `${id}.json`);
        expect(existsSync(file), `demo/scenarios/${id}.json`).toBe(true);
        const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedFacts;
        expect(saved.kind).toBe('ecs-pull-facts');
        expect(saved.schema).toBe(1);
        expect(saved.target.account).toBe('123456789012');
        expect(saved.target.cluster).toBe('shop-prod');
        expect(['eu-south-1', 'eu-west-1']).toContain(saved.target.region);
        expect(saved.target.taskId).toMatch(/^[0-9a-f]{32}$/);
        expect(saved.facts['ecs.task']?.ok).toBe(true);
        // A task that did not fail to pull needs only its context (task, definition, ENI, service).
        expect(saved.calls.length).toBeGreaterThan(id === 'not-a-pull-failure' ? 3 : 10);
        // Real gatherers' output, with the generator's own traces gone.
        expect(JSON.stringify(saved)).not.toMatch(/moto|127\.0\.0\.1|localhost|ec2\.internal/);
      });

      it(`replays to ${id} as the top cause, with real confidence`, () => {
        const report = reports.get(id)!;
        const top = report.causes[0]!;
        expect(top.id).toBe(id);
        expect(top.confidence).toBeGreaterThanOrEqual(0.5);
        if (id === 'not-a-pull-failure') {
          // ECS's own words decide, and no pull check runs.
          expect(top.basis).toBe('message');
          expect(top.confidence).toBe(1);
          expect(report.checks).toEqual([]);
        } else if (id !== 'unknown') {
          // Decided by the message and a check that found the problem, not by the message alone.
          expect(top.basis).toBe('both');
          expect(top.checks?.length).toBeGreaterThan(0);
          expect(report.checks.filter((c) => top.checks?.includes(c.id)).map((c) => c.status)).not.toContain(
            'pass',
          );
        }
        expect(report.replayedFrom).toBe(`demo/scenarios/${id}.json`);
        // Every check could run: the scenario was gathered with the permissions ecs-pull asks for.
        expect(report.checks.filter((c) => c.status === 'unknown').map((c) => c.id)).toEqual([]);
      });

      for (const lang of langs) {
        it(`renders in ${lang}: text, JSON and Block Kit, every message translated`, () => {
          const t = translator(lang);
          const report = reports.get(id)!;
          const missing = messagesOf(report).filter((m) => untranslated(t, m) || !say(t, m).trim());
          expect(missing.map((m) => m.key)).toEqual([]);

          const text = renderText(report, t);
          expectClean(text, `${id} text ${lang}`);
          expect(text).toContain(say(t, report.causes[0]!.summary));

          const json = JSON.parse(renderJson(report, t, lang)) as {
            causes: Array<{ summary: { text: string } }>;
          };
          expect(json.causes[0]!.summary.text.trim()).not.toBe('');
          for (const s of textsIn(json)) {
            expect(s.trim(), `${id} json ${lang}: empty text`).not.toBe('');
            expectClean(s, `${id} json ${lang}`);
          }

          const reply = renderReply({ items: [{ kind: 'report', report }], more: 0 }, t, lang);
          const summary = renderSummary({ items: [{ kind: 'report', report }], more: 0 }, t);
          for (const msg of [reply, summary]) {
            expect(msg.text.trim()).not.toBe('');
            for (const s of textsIn(msg)) {
              expect(s.trim(), `${id} blocks ${lang}: empty text`).not.toBe('');
              expectClean(s, `${id} blocks ${lang}`);
            }
          }
        });
      }

      for (const lang of langs) {
        it(`has a ${lang} description and cause title`, () => {
          const t = translator(lang);
          const d = scenarioDescription(t, id);
          expect(d).not.toBe(id);
          expect(d.trim()).not.toBe('');
          expect(causeLabel(t, id)).not.toBe(id);
        });
      }
    });
  }
});

describe('ecs-pull demo (run() with a captured Io)', () => {
  it('without a scenario: an intro, the default scenario’s report, then how to run the others', async () => {
    const { io, out, err } = captureIo();
    expect(await run(['demo'], io)).toBe(0);
    expect(err()).toBe('');
    const en = translator('en');
    const text = out();
    const lines = text.split('\n');
    expect(lines[0]).toBe(en('demo:intro'));
    expect(lines[1]).toContain(DEFAULT_SCENARIO);
    const report = await replayScenario(DEFAULT_SCENARIO, dir);
    expect(text).toContain(say(en, report.causes[0]!.summary));
    expect(text).toContain(`Replayed from demo/scenarios/${DEFAULT_SCENARIO}.json`);
    const last = lines.filter((l) => l.trim()).at(-1)!;
    expect(last).toContain('ecs-pull demo <name>');
    for (const name of scenarioNames(dir).filter((n) => n !== DEFAULT_SCENARIO)) expect(last).toContain(name);
    expectClean(text, 'demo en');
  });

  it('speaks Italian with --lang it', async () => {
    const { io, out } = captureIo();
    expect(await run(['demo', '--lang', 'it'], io)).toBe(0);
    const it_ = translator('it');
    expect(out().split('\n')[0]).toBe(it_('demo:intro'));
    expect(out()).toContain('Causa più probabile');
    expect(out()).toContain('ecs-pull demo <nome>');
    expectClean(out(), 'demo it');
  });

  it('replays a named scenario, without the list of the others', async () => {
    const { io, out } = captureIo();
    expect(await run(['demo', 'kms'], io)).toBe(0);
    expect(out()).toContain('Scenario kms:');
    expect(out()).toContain('Replayed from demo/scenarios/kms.json');
    expect(out()).not.toContain('Other scenarios');
  });

  it('--json prints the JSON report only', async () => {
    const { io, out } = captureIo();
    expect(await run(['demo', 'dns', '--json', '--lang', 'it'], io)).toBe(0);
    const json = JSON.parse(out()) as { kind: string; lang: string; causes: Array<{ id: string }> };
    expect(json.kind).toBe('ecs-pull-report');
    expect(json.lang).toBe('it');
    expect(json.causes[0]!.id).toBe('dns');
  });

  for (const lang of langs) {
    it(`--list names every scenario with its cause title (${lang})`, async () => {
      const t = translator(lang);
      const { io, out, err } = captureIo();
      expect(await run(['demo', '--list', '--lang', lang], io)).toBe(0);
      expect(err()).toBe('');
      const lines = out().trimEnd().split('\n');
      expect(lines[0]).toBe(t('demo:listTitle'));
      const names = scenarioNames(dir);
      expect(lines).toHaveLength(names.length + 1);
      for (const [i, name] of names.entries()) {
        expect(lines[i + 1]).toContain(name);
        expect(lines[i + 1]).toContain(causeLabel(t, name));
        expect(lines[i + 1]).toContain(scenarioDescription(t, name));
      }
      expect(lines.find((l) => l.includes(DEFAULT_SCENARIO))).toContain(t('demo:default'));
      expectClean(out(), `list ${lang}`);
    });
  }

  it('--list --json lists the scenarios as data', async () => {
    const { io, out } = captureIo();
    expect(await run(['demo', '--list', '--json'], io)).toBe(0);
    const json = JSON.parse(out()) as { default: string; scenarios: Array<{ name: string; cause: string }> };
    expect(json.default).toBe(DEFAULT_SCENARIO);
    expect(json.scenarios.map((s) => s.name)).toEqual(scenarioNames(dir));
  });

  for (const [lang, pattern] of [
    ['en', /There is no demo scenario “nope”/],
    ['it', /Non esiste uno scenario della demo “nope”/],
  ] as const) {
    it(`an unknown scenario exits 2 with one ${lang} line naming the valid ones`, async () => {
      const { io, out, err } = captureIo();
      expect(await run(['demo', 'nope', '--lang', lang], io)).toBe(2);
      expect(out()).toBe('');
      expect(err()).toMatch(pattern);
      expect(err().trim().split('\n')).toHaveLength(1);
      for (const name of scenarioNames(dir)) expect(err()).toContain(name);
    });
  }

  it('refuses a path instead of a scenario name', async () => {
    const { io, err } = captureIo();
    expect(await run(['demo', '../scenarios/kms'], io)).toBe(2);
    expect(err()).toMatch(/no demo scenario/);
  });
});

describe('demo scenarios are found wherever the CLI runs from', () => {
  it('from dist/src/cli, from a bundle (build/app/dist/src/cli) and not from an unrelated tree', () => {
    const base = mkdtempSync(join(tmpdir(), 'ecs-pull-demo-'));
    try {
      for (const layout of ['pkg', join('build', 'app')]) {
        const cli = join(base, layout, 'dist', 'src', 'cli');
        mkdirSync(cli, { recursive: true });
        mkdirSync(join(base, layout, 'demo', 'scenarios'), { recursive: true });
        writeFileSync(join(base, layout, 'demo', 'scenarios', 'dns.json'), '{}');
        expect(findScenariosDir(cli)).toBe(join(base, layout, 'demo', 'scenarios'));
      }
      const lonely = join(base, 'other', 'dist', 'src', 'cli');
      mkdirSync(lonely, { recursive: true });
      expect(findScenariosDir(lonely)).toBeUndefined();
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(join(root, 'dist', 'src', 'cli', 'demo.js')))(
    'the built CLI (npm run demo) finds them from dist/',
    async () => {
      const r = await runCli(['demo', '--list']);
      expect(r.code).toBe(0);
      for (const id of CAUSE_IDS) expect(r.stdout).toContain(id);
    },
  );
});
