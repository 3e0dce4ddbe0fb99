/**
 * Counts and numbers read right in both languages: every sentence with a plural (key_one / key_other) rendered at
 * 0, 1 and 2, and every sentence that formats a number or a date rendered with one, in English and Italian —
 * no placeholder, no nested key, no "1 problems", and the language's own decimal separator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { i18n, localesDir } from '../../src/i18n.js';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else Object.assign(out, flatten(v, key));
  }
  return out;
}

const PLURAL = /_(?:zero|one|two|few|many|other)$/;
const dir = join(localesDir(), 'en');
const entries: Array<[string, string]> = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    Object.entries(flatten(JSON.parse(readFileSync(join(dir, f), 'utf8')))).map(
      ([k, v]) => [`${f.slice(0, -5)}:${k}`, v] as [string, string],
    ),
  );
const plurals = [...new Set(entries.filter(([k]) => PLURAL.test(k)).map(([k]) => k.replace(PLURAL, '')))];
const formatted = entries
  .filter(([, v]) => /\{\{\s*\w+\s*,\s*(?:number|gib|when|list)/.test(v))
  .map(([k]) => k);

/** A value for every variable a sentence (any of its forms) names, so that only the count varies. */
function paramsFor(key: string): Record<string, unknown> {
  const texts = entries.filter(([k]) => k === key || k.replace(PLURAL, '') === key).map(([, v]) => v);
  const params: Record<string, unknown> = {};
  for (const t of texts) {
    for (const m of t.matchAll(/\{\{\s*(\w+)\s*(?:,\s*(\w+))?/g)) {
      const [, name, format] = m as unknown as [string, string, string | undefined];
      if (name === 'count') continue;
      params[name] =
        format === 'list'
          ? ['alpha', 'beta']
          : format === 'when'
            ? '2026-11-29T04:47:41.512Z'
            : format === 'number' ||
                format === 'gib' ||
                /^(rounds|ms|size|needed|compressed|have|factor|limit|now|max|burst|perMinute|seconds|hours|remaining|recommend|priority|exitCode)$/.test(
                  name,
                )
              ? 1234.5
              : name === 'unit'
                ? 'days'
                : name === 'tagStatus'
                  ? 'tagged'
                  : name === 'action'
                    ? 'expire'
                    : `‹${name}›`;
    }
  }
  return params;
}

function clean(text: string, where: string) {
  expect(text, where).not.toMatch(/\{\{|\}\}|\$t\(|undefined|NaN|\[object/);
  expect(text.trim(), where).not.toBe('');
}

describe('plurals: every counted sentence at 0, 1 and 2, in both languages', () => {
  it('there are counted sentences', () => expect(plurals.length).toBeGreaterThan(25));

  it('a count is shown only by a sentence with plural forms, or as a bare number in brackets', () => {
    const unpluralized = entries
      // A count handed on to a nested sentence ($t(…, {"count": …})) is that sentence's to pluralize.
      .filter(([k, v]) => !PLURAL.test(k) && /\{\{\s*count\b/.test(v.replace(/\$t\([^)]*\)/g, '')))
      .filter(([, v]) => !/^[^{]*\(\{\{\s*count\s*\}\}\):?$/.test(v))
      .map(([k]) => k);
    expect(unpluralized).toEqual([]);
  });

  for (const key of plurals) {
    it(key, () => {
      for (const lng of ['en', 'it']) {
        const t = i18n().getFixedT(lng);
        for (const count of [0, 1, 2]) {
          const text = t(key, { ...paramsFor(key), count }) as string;
          clean(text, `${lng} ${key} ${count}`);
          // The form for one is the one rendered for 1; anything else takes the other form.
          const form = t(`${key}_${count === 1 ? 'one' : 'other'}`, { ...paramsFor(key), count }) as string;
          expect(text, `${lng} ${key} ${count}`).toBe(form);
        }
        // Never "1 problems", "1 azioni", "1 passaggi".
        const one = t(key, { ...paramsFor(key), count: 1 }) as string;
        expect(one, `${lng} ${key}`).not.toMatch(
          /\b1 (?:problems|calls|rounds|actions|channels|tasks|days|accounts|pages|checks|endpoints|secrets|diagnoses|images|azioni|problemi|passaggi|chiamate|canali|giorni|pagine|controlli)\b/,
        );
      }
    });
  }
});

describe('numbers and dates: each language writes its own', () => {
  it('there are formatted sentences', () => expect(formatted.length).toBeGreaterThan(8));

  for (const key of formatted) {
    it(key, () => {
      const base = key.replace(PLURAL, '');
      const params = { ...paramsFor(base), count: 2 };
      const en = i18n().getFixedT('en')(key, params) as string;
      const it_ = i18n().getFixedT('it')(key, params) as string;
      clean(en, `en ${key}`);
      clean(it_, `it ${key}`);
      // A decimal is written 1234.5 or 1,234.5 in English, 1234,5 or 1.234,5 in Italian: never mixed.
      if (/1,?234\.5/.test(en)) expect(it_, key).toMatch(/1\.?234,5/);
      expect(it_, key).not.toMatch(/\d\.\d GiB|\d+\.\d+ ms/);
    });
  }
});
