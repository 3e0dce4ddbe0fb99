/**
 * No English sentence left in the Italian files: common English function words must not appear as words in
 * Italian values. AWS identifiers, code and quoted error text (which stay as AWS writes them) are left out first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localesDir } from '../../src/i18n.js';

/** Words that carry an English sentence and are not Italian words too ("a", "in", "no", "come", "per" are left out). */
const ENGLISH = new Set(
  (
    'the and of to with is are was were be been being not for from this that these those which who your you ' +
    'its it has have had does did do can cannot could should would will shall may might must there their they ' +
    'when where what why how into onto only also but if then than because while after before about above below ' +
    'over under again any each every some such own same both more most other our ours we us he she him her his ' +
    'by or on at an as so too very just yet still here out up down off now all none nothing something please ' +
    'check give use make run start stop allow add create enable turn move point keep found missing'
  ).split(/\s+/),
);

/** Removes what legitimately stays in English: placeholders, code, ARNs, hosts, quoted error text, API names. */
function prose(value: string): string {
  return (
    value
      .replace(/\{\{[^}]*\}\}/g, ' ')
      .replace(/`[^`]*`/g, ' ')
      .replace(/«[^»]*»|“[^”]*”|"[^"]*"/g, ' ')
      .replace(/\S*[:/._<>=@*]\S*/g, ' ')
      .replace(/\b[a-z]+[A-Z]\w*\b/g, ' ')
      .replace(/\b[A-Z][a-z]+[A-Z]\w*\b/g, ' ')
      .replace(/--\S+/g, ' ')
      // Command and API names (run-task, update-service) stay as AWS spells them.
      .replace(/\b[a-z0-9]+(?:-[a-z0-9]+)+\b/gi, ' ')
  );
}

type Tree = { [k: string]: string | Tree };
function flatten(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v, `${prefix}${k}.`),
  );
}

function englishWords(value: string): string[] {
  return (
    prose(value)
      .toLowerCase()
      .split(/[^a-zà-ÿ'’]+/)
      // Italian elisions (l', all', dell', un') are Italian: keep the word after the apostrophe.
      .map((w) => w.split(/['’]/).pop() ?? '')
      .filter((w) => ENGLISH.has(w))
  );
}

describe('Italian: no English left in the Italian files', () => {
  it('the detector finds English and spares Italian with identifiers', () => {
    expect(englishWords('The task has no route to the internet')).toEqual(['the', 'has', 'to', 'the']);
    expect(
      englishWords(
        'Consenti ecr:GetAuthorizationToken su * e imposta assignPublicIp su ENABLED in {{service}}: «pull access denied» non basta.',
      ),
    ).toEqual([]);
    expect(englishWords('Usa run-task, non update-service: il set di opzioni DHCP resta.')).toEqual([]);
    expect(englishWords("L'attività non può raggiungere il registro: aggiungi una route 0.0.0.0/0.")).toEqual(
      [],
    );
  });

  const dir = join(localesDir(), 'it');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${file}: every value reads as Italian`, () => {
      const tree = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Tree;
      const offenders = flatten(tree)
        .map(([key, value]) => [key, value, englishWords(value)] as const)
        .filter(([, , words]) => words.length > 0)
        .map(([key, value, words]) => `${key}: [${words.join(', ')}] ${value}`);
      expect(offenders, offenders.join('\n')).toEqual([]);
    });
  }
});

describe('dates: as the reader writes them, in the local zone and in UTC', () => {
  it('English and Italian, on a UTC machine and elsewhere', async () => {
    const { when } = await import('../../src/i18n.js');
    const at = '2026-11-29T04:47:41.512Z';
    expect(when(at, 'en', 'UTC')).toBe('Nov 29, 2026, 4:47 AM UTC');
    expect(when(at, 'it', 'UTC')).toBe('29 nov 2026, 04:47 UTC');
    expect(when(at, 'it', 'Europe/Rome')).toBe('29 nov 2026, 05:47 (04:47 UTC)');
    expect(when(1795927661, 'en', 'America/New_York')).toBe('Nov 28, 2026, 11:47 PM (4:47 AM UTC)');
    expect(when('not a date', 'it')).toBe('not a date');
  });
});
