/**
 * Translations: every user-facing sentence lives in locales/<lang>/<namespace>.json. Only renderers and error
 * printers call t(); the rest of the code passes message keys and parameters around.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import { type Language, languages } from './config-base.js';

/** The locales directory, found from this module whether it runs from src/ (tests) or dist/src/ (built). */
export function localesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'locales');
    if (existsSync(join(candidate, 'en'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('locales directory not found');
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** Reads every namespace file of the given languages (all of them by default). */
export function loadResources(dir = localesDir(), langs: readonly Language[] = languages): Resources {
  const resources: Resources = {};
  for (const lang of langs) {
    resources[lang] = {};
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith('.json'))) {
      resources[lang]![file.slice(0, -5)] = JSON.parse(readFileSync(join(dir, lang, file), 'utf8'));
    }
  }
  return resources;
}

let instance: I18n | undefined;
const loaded = new Set<Language>();

/**
 * The shared instance with these languages' words loaded: English (every language falls back to it) and the
 * others only once they are asked for, so that a command line in English reads half the files.
 */
function withLanguages(langs: readonly Language[]): I18n {
  if (!instance) {
    const resources = loadResources(localesDir(), ['en']);
    loaded.add('en');
    instance = i18next.createInstance();
    void instance.init({
      resources,
      lng: 'en',
      fallbackLng: 'en',
      supportedLngs: [...languages],
      ns: Object.keys(resources.en ?? {}),
      defaultNS: 'common',
      initAsync: false,
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    // {{x, gib}}: a size in GiB with one decimal, as the language writes numbers (9.5 in English, 9,5 in Italian).
    instance.services.formatter?.add('gib', (value, lng) =>
      new Intl.NumberFormat(lng, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
        Number(value),
      ),
    );
    // {{x, when}}: an instant (ISO text or epoch) as the language writes dates, in the local time zone and in UTC.
    instance.services.formatter?.add('when', (value, lng) => when(value, lng ?? 'en'));
    // {{x, clock}}: the time of day of an instant, in the local time zone (a line printed as it happens).
    instance.services.formatter?.add('clock', (value, lng) => {
      const d = instant(value);
      return d
        ? new Intl.DateTimeFormat(lng ?? 'en', { timeStyle: 'medium' }).format(d)
        : String(value ?? '');
    });
  }
  const missing = langs.filter((l) => !loaded.has(l));
  if (missing.length) {
    const more = loadResources(localesDir(), missing);
    for (const lang of missing) {
      for (const [ns, words] of Object.entries(more[lang] ?? {})) instance.addResourceBundle(lang, ns, words);
      loaded.add(lang);
    }
  }
  return instance;
}

/** The shared i18next instance, initialised synchronously on first use, with every language. */
export function i18n(): I18n {
  return withLanguages(languages);
}

/** A translator fixed to one language. */
export function translator(lang: Language): TFunction {
  return withLanguages([lang]).getFixedT(lang);
}

export { toLanguage } from './config-base.js';
/** Epoch seconds or milliseconds, or ISO text, as a Date; undefined when it is neither. */
export function instant(value: unknown): Date | undefined {
  const d =
    typeof value === 'number'
      ? new Date(value < 1e12 ? value * 1000 : value)
      : typeof value === 'string' && value
        ? new Date(value)
        : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/**
 * An instant for a reader: "29 nov 2026, 05:47 (04:47 UTC)" in the machine's time zone, then UTC; just the UTC
 * one where the machine runs on UTC. Anything that is not an instant comes back as it was.
 */
export function when(value: unknown, lng: string, timeZone?: string): string {
  const d = instant(value);
  if (!d) return String(value ?? '');
  const local = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const utc = new Intl.DateTimeFormat(lng, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(d);
  if (!local || local === 'UTC' || local === 'Etc/UTC') return `${utc} UTC`;
  const here = new Intl.DateTimeFormat(lng, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: local,
  }).format(d);
  const utcTime = new Intl.DateTimeFormat(lng, { timeStyle: 'short', timeZone: 'UTC' }).format(d);
  return `${here} (${utcTime} UTC)`;
}
