/**
 * Translations: every user-facing sentence lives in locales/<lang>/<namespace>.json. Only renderers and error
 * printers call t(); the rest of the code passes message keys and parameters around.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import { type Language, languages } from './config.js';

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

/** Reads every namespace file of every language. */
export function loadResources(dir = localesDir()): Resources {
  const resources: Resources = {};
  for (const lang of languages) {
    resources[lang] = {};
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith('.json'))) {
      resources[lang]![file.slice(0, -5)] = JSON.parse(readFileSync(join(dir, lang, file), 'utf8'));
    }
  }
  return resources;
}

let instance: I18n | undefined;

/** The shared i18next instance, initialised synchronously on first use. */
export function i18n(): I18n {
  if (!instance) {
    const resources = loadResources();
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
  }
  return instance;
}

/** A translator fixed to one language. */
export function translator(lang: Language): TFunction {
  return i18n().getFixedT(lang);
}

/** Maps anything users type or Slack sends (it, it-IT, en_US, EN) to a supported language. */
export function toLanguage(value: string | undefined | null): Language | undefined {
  const base = value?.trim().toLowerCase().split(/[-_]/)[0];
  return (languages as readonly string[]).includes(base ?? '') ? (base as Language) : undefined;
}
