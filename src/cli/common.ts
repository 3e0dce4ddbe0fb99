/** Pieces shared by CLI commands: language choice, config loading, file reading with localized errors. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { TFunction } from 'i18next';
import { type Config, type Language, loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { toLanguage, translator } from '../i18n.js';

export interface GlobalOptions {
  lang?: string;
  config?: string;
}

/** Resolves --lang (validated) or the configured default. */
export function chooseLanguage(opts: GlobalOptions, config: Config | undefined): Language {
  if (opts.lang !== undefined) {
    const l = toLanguage(opts.lang);
    if (!l) throw new UserError('errors.lang', { value: opts.lang });
    return l;
  }
  return config?.defaultLanguage ?? 'en';
}

export interface CommandEnv {
  config: Config;
  lang: Language;
  t: TFunction;
}

/** Loads config and language for a command. */
export function commandEnv(opts: GlobalOptions): CommandEnv {
  // Validate --lang first so that even a config error is reported in the requested language.
  chooseLanguage(opts, undefined);
  const config = loadConfig(undefined, { configPath: opts.config });
  const lang = chooseLanguage(opts, config);
  return { config, lang, t: translator(lang) };
}

/** The usual reasons a file cannot be read, each worded in the locales (`<errorKey>_<context>`). */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'missing',
  ENOTDIR: 'missing',
  EACCES: 'denied',
  EPERM: 'denied',
  EISDIR: 'directory',
};

/**
 * Reads a text file, mapping failures to the given error key. A missing file, a denied one or a directory is
 * said in words: the key's `_missing`, `_denied` or `_directory` variant (i18next context); anything else
 * carries its code.
 */
export function readText(file: string, errorKey: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const context = code ? FILE_ERRORS[code] : undefined;
    throw new UserError(errorKey, {
      file,
      reason: code ?? (err as Error).message,
      ...(context ? { context } : {}),
    });
  }
}

/** Writes a text file, mapping failures to errors.save.failed. */
export function writeText(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new UserError('errors.save.failed', {
      file,
      reason: (err as NodeJS.ErrnoException).code ?? String(err),
    });
  }
}
