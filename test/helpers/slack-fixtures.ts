/** Alert samples (test/fixtures/slack/*.json) with their {{PLACEHOLDERS}} filled for a scenario. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SlackMessageLike } from '../../src/slack/alert.js';

/** test/fixtures/slack, from the sources or from a compiled copy of this helper (the benchmark's dist-bench/). */
function fixturesDir(): string {
  const near = join(import.meta.dirname, '..', 'fixtures', 'slack');
  if (existsSync(near)) return near;
  for (let d = import.meta.dirname; dirname(d) !== d; d = dirname(d)) {
    const candidate = join(d, 'test', 'fixtures', 'slack');
    if (existsSync(candidate)) return candidate;
  }
  return near;
}

const dir = fixturesDir();

export interface AlertVars {
  ACCOUNT: string;
  REGION: string;
  CLUSTER: string;
  TASK_ID: string;
  TASK_ARN: string;
  TASK_ARN_2?: string;
  TASK_DEFINITION_ARN?: string;
  SUBNET?: string;
  IMAGE?: string;
}

export function alertFixtureNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The fixture as a message event (without channel and ts), placeholders replaced (JSON-escaped). */
export function alertFixture(name: string, vars: AlertVars): SlackMessageLike & Record<string, unknown> {
  let raw = readFileSync(join(dir, `${name}.json`), 'utf8');
  const all: Record<string, string> = {
    IMAGE: `${vars.ACCOUNT}.dkr.ecr.${vars.REGION}.amazonaws.com/web:1.4.2`,
    SUBNET: 'subnet-0123456789abcdef0',
    TASK_DEFINITION_ARN: `arn:aws:ecs:${vars.REGION}:${vars.ACCOUNT}:task-definition/web:1`,
    TASK_ARN_2: vars.TASK_ARN,
    ...vars,
  } as Record<string, string>;
  raw = raw.replace(/\{\{([A-Z_0-9]+)\}\}/g, (m, k: string) => {
    const v = all[k];
    if (v === undefined) throw new Error(`fixture ${name}: no value for ${m}`);
    return v;
  });
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  delete parsed._about;
  return parsed as SlackMessageLike & Record<string, unknown>;
}
