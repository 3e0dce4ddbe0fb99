/** Both languages say the same things: same keys, same interpolation variables, nothing empty. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localesDir } from '../../src/i18n.js';

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

function load(lang: string): Record<string, Record<string, string>> {
  const dir = join(localesDir(), lang);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.slice(0, -5), flatten(JSON.parse(readFileSync(join(dir, f), 'utf8')))]),
  );
}

const PLURAL = /_(?:zero|one|two|few|many|other)$/;
const vars = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();

describe('locales: en and it match', () => {
  const en = load('en');
  const it_ = load('it');

  it('have the same namespaces', () => {
    expect(Object.keys(it_).sort()).toEqual(Object.keys(en).sort());
  });

  for (const ns of Object.keys(en)) {
    it(`${ns}: same keys, same variables, none empty`, () => {
      expect(Object.keys(it_[ns] ?? {}).sort()).toEqual(Object.keys(en[ns]!).sort());
      for (const [key, text] of Object.entries(en[ns]!)) {
        const other = it_[ns]?.[key] ?? '';
        expect(text.trim(), `${ns}:${key} (en)`).not.toBe('');
        expect(other.trim(), `${ns}:${key} (it)`).not.toBe('');
        // The forms of one plural (key_one, key_other) may each leave a variable out ("un altro" for one, not
        // "1 altro"): what must match is what the whole family uses.
        const base = key.replace(PLURAL, '');
        const family = (tree: Record<string, string>) =>
          [
            ...new Set(
              Object.entries(tree).flatMap(([k, v]) => (k.replace(PLURAL, '') === base ? vars(v) : [])),
            ),
          ].sort();
        if (PLURAL.test(key))
          expect(family(it_[ns] ?? {}), `${ns}:${base} variables`).toEqual(family(en[ns]!));
        else expect(vars(other), `${ns}:${key} variables`).toEqual(vars(text));
      }
    });
  }
});
