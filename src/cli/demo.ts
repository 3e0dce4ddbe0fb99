/**
 * `ecs-pull demo [scenario]`: bundled saved-facts scenarios (demo/scenarios/<cause>.json, one per cause) replayed
 * through the real checks, verdict and renderers — the path `ecs-pull replay` takes — with no AWS account.
 * `ecs-pull demo --check [scenario]`: the same for pre-flights (demo/checks/<name>.json, saved by `ecs-pull check
 * --save-facts` against moto).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TFunction } from 'i18next';
import { CAUSE_IDS } from '../diagnosis/causes.js';
import type { CheckReport } from '../diagnosis/check-report.js';
import type { Report } from '../diagnosis/report.js';
import { UserError } from '../errors.js';
import { BLANK, layout, PLAIN, type Row, row } from '../render/terminal.js';
import { causeLabel, reportRows } from '../render/text.js';
import { type CommandContext, type GlobalOptions, languageEnv, readText } from './common.js';
import type { Io } from './io.js';

/** The scenario shown when none is named: the most common failure, a subnet with no way out. */
export const DEFAULT_SCENARIO = 'network-no-route';

/** Where a scenario's report says it was replayed from (relative, the same on every machine). */
const SCENARIOS_PATH = 'demo/scenarios';
const CHECKS_PATH = 'demo/checks';

/** The pre-flight scenario shown when none is named: a new task definition whose tag was never pushed. */
export const DEFAULT_CHECK_SCENARIO = 'image-not-found';

/**
 * The scenarios directory, searched upwards from `start`: src/cli (tests), dist/src/cli (npm run demo, an
 * installed package: `files` ships demo/), build/app/dist/src/cli (the bundle copies demo/ next to dist/).
 */
export function findScenariosDir(
  start = dirname(fileURLToPath(import.meta.url)),
  kind: 'scenarios' | 'checks' = 'scenarios',
): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'demo', kind);
    if (existsSync(candidate) && readdirSync(candidate).some((f) => f.endsWith('.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function scenariosDir(kind: 'scenarios' | 'checks' = 'scenarios'): string {
  const dir = findScenariosDir(undefined, kind);
  if (!dir) throw new UserError('demo:none', { dir: kind === 'checks' ? CHECKS_PATH : SCENARIOS_PATH });
  return dir;
}

/** The pre-flight scenarios (file names without .json), alphabetical. */
export function checkScenarioNames(dir = scenariosDir('checks')): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Replays one pre-flight scenario through the pure pipeline: checks, verdict, report. */
export async function replayCheckScenario(name: string, dir = scenariosDir('checks')): Promise<CheckReport> {
  const names = checkScenarioNames(dir);
  if (!names.includes(name)) throw new UserError('demo:unknown', { name, names: names.join(', ') });
  const [{ parseSavedFacts }, { evaluatePreflight }] = await Promise.all([
    import('../diagnosis/evaluate.js'),
    import('../diagnosis/check-report.js'),
  ]);
  const file = join(dir, `${name}.json`);
  const where = `${CHECKS_PATH}/${name}.json`;
  const saved = parseSavedFacts(readText(file, 'errors.replay.unreadable'), where);
  return evaluatePreflight(saved, { replayedFrom: where });
}

const causeOrder = (name: string) => {
  const i = (CAUSE_IDS as readonly string[]).indexOf(name);
  return i < 0 ? CAUSE_IDS.length : i;
};

/** The scenario names (file names without .json), in the order of the cause registry, others after. */
export function scenarioNames(dir = scenariosDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort((a, b) => causeOrder(a) - causeOrder(b) || a.localeCompare(b));
}

/** Replays one scenario through the pure pipeline: checks, verdict, report. */
export async function replayScenario(name: string, dir = scenariosDir()): Promise<Report> {
  const names = scenarioNames(dir);
  if (!names.includes(name)) throw new UserError('demo:unknown', { name, names: names.join(', ') });
  const { evaluate, parseSavedFacts } = await import('../diagnosis/evaluate.js');
  const file = join(dir, `${name}.json`);
  const saved = parseSavedFacts(readText(file, 'errors.replay.unreadable'), `${SCENARIOS_PATH}/${name}.json`);
  return evaluate(saved, { replayedFrom: `${SCENARIOS_PATH}/${name}.json` });
}

/** The scenario's one-line description in the user's language (its name, for a scenario the locales lack). */
export function scenarioDescription(t: TFunction, name: string): string {
  const s = t(`demo:scenarios.${name}`, { defaultValue: '' }) as string;
  return s || name;
}

interface DemoOptions extends GlobalOptions {
  json?: boolean;
  list?: boolean;
  check?: boolean;
}

/** Runs `demo` (`--check`: a pre-flight's): the configuration is not needed (a problem with it is said and passed over). */
export async function demo(
  scenario: string | undefined,
  opts: DemoOptions,
  ctx: CommandContext,
): Promise<void> {
  const { io } = ctx;
  const { t, lang } = await languageEnv(opts, ctx, 'demo');
  // `demo kms --list` asks two things at once: say so rather than drop one.
  if (opts.list && scenario !== undefined) throw new UserError('demo:listAndName', { name: scenario });
  if (opts.check) {
    await checkDemo(io, { t, lang }, scenario, opts);
    return;
  }
  const dir = scenariosDir();
  const names = scenarioNames(dir);
  const term = opts.json ? PLAIN : (io.terminal?.() ?? PLAIN);

  if (opts.list) {
    const items = names.map((name) => ({
      name,
      cause: causeLabel(t, name),
      description: scenarioDescription(t, name),
    }));
    if (opts.json) {
      io.out(`${JSON.stringify({ scenarios: items, default: DEFAULT_SCENARIO }, null, 2)}\n`);
      return;
    }
    // Names in a column; a description too long for the line wraps under its own column.
    const width = Math.max(...names.map((n) => n.length));
    const rows: Row[] = [row(0, t('demo:listTitle'))];
    for (const it of items) {
      const text = t('demo:listLine', { cause: it.cause, description: it.description });
      rows.push({
        indent: 2,
        mark: `${it.name.padEnd(width)} `,
        text: it.name === DEFAULT_SCENARIO ? `${text} ${t('demo:default')}` : text,
        markRole: 'title',
      });
    }
    io.out(`${layout(rows, term)}\n`);
    return;
  }

  const name = scenario ?? DEFAULT_SCENARIO;
  const report = await replayScenario(name, dir);
  if (opts.json) {
    const { renderJson } = await import('../render/json.js');
    io.out(renderJson(report, t, lang));
    return;
  }
  const rows: Row[] = [
    row(0, t('demo:intro'), 'muted'),
    row(0, t('demo:scenario', { name, description: scenarioDescription(t, name) })),
    BLANK,
    ...reportRows(report, t),
  ];
  if (!scenario) {
    const others = names.filter((n) => n !== name).join(', ');
    rows.push(BLANK, row(0, t('demo:others', { names: others }), 'muted'));
  }
  io.out(`${layout(rows, term)}\n`);
}

/** `ecs-pull demo --check [scenario]`: a pre-flight scenario, or the list of them. */
async function checkDemo(
  io: Io,
  env: { t: TFunction; lang: string },
  scenario: string | undefined,
  opts: DemoOptions,
): Promise<void> {
  const { t, lang } = env;
  const dir = scenariosDir('checks');
  const names = checkScenarioNames(dir);
  const term = opts.json ? PLAIN : (io.terminal?.() ?? PLAIN);
  const describe = (name: string) => (t(`demo:checks.${name}`, { defaultValue: '' }) as string) || name;
  if (opts.list) {
    const items = names.map((name) => ({ name, description: describe(name) }));
    if (opts.json) {
      io.out(`${JSON.stringify({ scenarios: items, default: DEFAULT_CHECK_SCENARIO }, null, 2)}\n`);
      return;
    }
    const width = Math.max(...names.map((n) => n.length));
    const rows: Row[] = [row(0, t('demo:checkListTitle'))];
    for (const it of items) {
      rows.push({
        indent: 2,
        mark: `${it.name.padEnd(width)} `,
        text: it.name === DEFAULT_CHECK_SCENARIO ? `${it.description} ${t('demo:default')}` : it.description,
        markRole: 'title',
      });
    }
    io.out(`${layout(rows, term)}\n`);
    return;
  }
  const name = scenario ?? DEFAULT_CHECK_SCENARIO;
  const report = await replayCheckScenario(name, dir);
  const render = await import('../render/check-text.js');
  if (opts.json) {
    io.out(render.renderCheckJson(report, t, lang));
    return;
  }
  const rows: Row[] = [
    row(0, t('demo:checkIntro'), 'muted'),
    row(0, t('demo:scenario', { name, description: describe(name) })),
    BLANK,
    ...render.checkReportRows(report, t),
  ];
  if (!scenario) {
    rows.push(
      BLANK,
      row(0, t('demo:checkOthers', { names: names.filter((n) => n !== name).join(', ') }), 'muted'),
    );
  }
  io.out(`${layout(rows, term)}\n`);
}
