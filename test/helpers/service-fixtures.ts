/**
 * Alerts that name a service, not a task (test/fixtures/slack-service/*.json), with their {{PLACEHOLDERS}} filled;
 * each fixture says where its shape comes from (`_about`) and what ecs-pull reads from it (`_expect`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SlackMessageLike } from '../../src/slack/alert.js';

function fixturesDir(): string {
  const near = join(import.meta.dirname, '..', 'fixtures', 'slack-service');
  if (existsSync(near)) return near;
  for (let d = import.meta.dirname; dirname(d) !== d; d = dirname(d)) {
    const candidate = join(d, 'test', 'fixtures', 'slack-service');
    if (existsSync(candidate)) return candidate;
  }
  return near;
}

const dir = fixturesDir();

export interface ServiceAlertVars {
  ACCOUNT: string;
  REGION: string;
  CLUSTER: string;
  SERVICE: string;
}

/** What a fixture names: the kind of alert (and the alarm), or nothing to answer. */
export type ServiceFixtureExpectation = { kind: string; alarm?: string } | { none: true };

export function serviceFixtureNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

function fill(name: string, vars: ServiceAlertVars): Record<string, unknown> {
  const raw = readFileSync(join(dir, `${name}.json`), 'utf8').replace(
    /\{\{([A-Z_0-9]+)\}\}/g,
    (m, k: string) => {
      const v = (vars as unknown as Record<string, string>)[k];
      if (v === undefined) throw new Error(`fixture ${name}: no value for ${m}`);
      return v;
    },
  );
  return JSON.parse(raw) as Record<string, unknown>;
}

/** The fixture as a message event (without channel and ts). */
export function serviceAlertFixture(
  name: string,
  vars: ServiceAlertVars,
): SlackMessageLike & Record<string, unknown> {
  const parsed = fill(name, vars);
  delete parsed._about;
  delete parsed._expect;
  return parsed as SlackMessageLike & Record<string, unknown>;
}

export function serviceFixtureExpectation(name: string, vars: ServiceAlertVars): ServiceFixtureExpectation {
  return fill(name, vars)._expect as ServiceFixtureExpectation;
}
