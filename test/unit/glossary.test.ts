/**
 * One Italian word per concept, the AWS console's: locales/glossary.it.json lists each term with the variants
 * ecs-pull does not use, and none of them appears in locales/it. Code (`…`), placeholders ({{…}}, $t(…)) and text
 * quoted from AWS ("…", “…”) are left out first: they stay as AWS or the user wrote them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localesDir } from '../../src/i18n.js';

interface Term {
  en: string;
  it: string;
  rejected: string[];
}

const glossary = JSON.parse(readFileSync(join(localesDir(), 'glossary.it.json'), 'utf8')) as {
  terms: Term[];
};

type Tree = { [k: string]: string | Tree };
function flatten(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v, `${prefix}${k}.`),
  );
}

/** The Italian words of a value: without code, placeholders, nested keys and quoted text. */
function words(text: string): string {
  return text
    .replace(/`[^`]*`/g, ' ')
    .replace(/\$t\([^)]*\)/g, ' ')
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/“[^”]*”/g, ' ')
    .replace(/"[^"]*"/g, ' ');
}

const dir = join(localesDir(), 'it');
const values = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    flatten(JSON.parse(readFileSync(join(dir, f), 'utf8'))).map(
      ([k, v]) => [`${f.slice(0, -5)}:${k}`, v] as const,
    ),
  );

describe('glossary: one Italian term per concept', () => {
  it('has terms, each with its Italian word', () => {
    expect(glossary.terms.length).toBeGreaterThan(20);
    for (const t of glossary.terms) expect(t.it.trim(), t.en).not.toBe('');
  });

  for (const term of glossary.terms.filter((t) => t.rejected.length)) {
    it(`${term.en} → ${term.it}`, () => {
      const patterns = term.rejected.map(
        (r) => new RegExp(r, /[A-Z]/.test(r.replace(/\\[a-zA-Z]/g, '')) ? 'm' : 'im'),
      );
      const found = values.filter(([, v]) => patterns.some((p) => p.test(words(v)))).map(([k]) => k);
      expect(found, `use “${term.it}”`).toEqual([]);
    });
  }

  it('the Italian terms are used (the glossary is not aspirational)', () => {
    const all = values.map(([, v]) => v.toLowerCase()).join('\n');
    for (const t of [
      'attività',
      'definizione di attività',
      'sottorete',
      'tabella di routing',
      'gruppo di sicurezza',
      'attendibil',
      'istruzione',
      'policy della chiave',
      'elenco di prefissi',
      'autorizzazioni',
      'distribuzione',
      'non pertinent',
      'passaggi',
      'gateway di transito',
    ])
      expect(all, t).toContain(t);
  });
});
