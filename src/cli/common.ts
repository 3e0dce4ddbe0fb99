/**
 * Pieces shared by CLI commands: the language, the configuration (loaded, and validated, only by the commands that
 * need it, once their input is valid), file reading with localized errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { TFunction } from 'i18next';
import type { Config } from '../config.js';
import {
  environmentConfigPath,
  environmentLanguage,
  hasConfiguration,
  type Language,
  toLanguage,
  unconfigured,
} from '../config-base.js';
import { isUserError, UserError } from '../errors.js';
import { translator } from '../i18n.js';
import type { Io } from './io.js';

export interface GlobalOptions {
  lang?: string;
  config?: string;
}

/** What a command reports back to the runner. */
export interface CommandContext {
  io: Io;
  /** Ends with this exit code without an error (doctor's failed rows). */
  setExit(code: number): void;
  /** The language the command settled on: errors it throws afterwards are said in it. */
  setLanguage(lang: Language): void;
}

/** --lang, validated (an unknown language is an error); undefined when not given. */
export function requestedLanguage(opts: GlobalOptions): Language | undefined {
  if (opts.lang === undefined) return undefined;
  const l = toLanguage(opts.lang);
  if (!l) throw new UserError('errors.lang', { value: opts.lang });
  return l;
}

export interface CommandEnv {
  config: Config;
  lang: Language;
  t: TFunction;
}

/**
 * The configuration and the language (--lang, else the configured one). When nothing configures ecs-pull (no file,
 * no variable but a valid ECS_PULL_LANG) the defaults are taken as they are; otherwise zod and YAML are loaded here,
 * not before, and validate it.
 */
export async function commandEnv(opts: GlobalOptions, ctx: CommandContext): Promise<CommandEnv> {
  // Validate --lang first so that even a configuration error is said in the language asked for.
  const asked = requestedLanguage(opts);
  if (asked) ctx.setLanguage(asked);
  let config: Config;
  if (hasConfiguration(opts.config)) {
    await checkSettings(opts.config ?? environmentConfigPath());
    config = (await import('../config.js')).loadConfig(undefined, { configPath: opts.config });
  } else config = unconfigured(environmentLanguage());
  const lang = asked ?? config.defaultLanguage;
  ctx.setLanguage(lang);
  return { config, lang, t: translator(lang) };
}

/**
 * A key of the configuration file that is not a setting, refused before zod is loaded (the same error loadConfig
 * gives). Anything else (no such file, not YAML, a bad value) is left to loadConfig, which says it.
 */
async function checkSettings(path: string | undefined): Promise<void> {
  if (!path) return;
  let raw: unknown;
  try {
    const { parse } = await import('yaml');
    raw = parse(readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  const { unknownSetting } = await import('../config-keys.js');
  const unknown = unknownSetting(raw, path);
  if (unknown) throw unknown;
}

/**
 * For the commands that need nothing of the configuration but the language (`classify`, `demo`): --lang, else
 * ECS_PULL_LANG, else the configured one. Nothing is loaded when nothing configures ecs-pull; a configuration with a
 * problem is said in one line on stderr and the command runs without it.
 */
export async function languageEnv(
  opts: GlobalOptions,
  ctx: CommandContext,
  command: string,
): Promise<{ lang: Language; t: TFunction }> {
  const asked = requestedLanguage(opts);
  const fallback = asked ?? environmentLanguage() ?? 'en';
  if (!hasConfiguration(opts.config)) {
    ctx.setLanguage(fallback);
    return { lang: fallback, t: translator(fallback) };
  }
  try {
    const { lang, t } = await commandEnv(opts, ctx);
    return { lang, t };
  } catch (err) {
    if (!isUserError(err)) throw err;
    const t = translator(fallback);
    ctx.setLanguage(fallback);
    const problem = t(err.key, err.params);
    ctx.io.err(`${t('errors.prefix', { message: t('config:ignored', { problem, command }) })}\n`);
    return { lang: fallback, t };
  }
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

type LogModule = typeof import('../log.js');
type DiagnosisLogModule = typeof import('../observability/diagnosis-log.js');
type CommandLogger = ReturnType<LogModule['createLogger']>;

/**
 * The logger of a command that talks to AWS, loaded once the AWS work is over (the logger and its redaction cost
 * tens of milliseconds that would otherwise come before the first request). Checks that fail internally before then
 * are kept and logged when it loads. `id` is the correlation id of every line (what log.correlationId() gives).
 */
export async function laterLog(
  config: Config,
  bindings: (id: string) => Record<string, unknown>,
): Promise<{
  id: string;
  checkError(checkId: string, err: unknown): void;
  get(): Promise<{ log: CommandLogger; diagnosisLog: DiagnosisLogModule }>;
}> {
  const id = (await import('node:crypto')).randomUUID().slice(0, 8);
  const kept: Array<{ checkId: string; err: unknown }> = [];
  let loaded: { log: CommandLogger; diagnosisLog: DiagnosisLogModule } | undefined;
  return {
    id,
    checkError(checkId, err) {
      if (loaded) loaded.log.error({ err, checkId }, 'check failed');
      else kept.push({ checkId, err });
    },
    async get() {
      if (!loaded) {
        const [log_, diagnosisLog] = await Promise.all([
          import('../log.js'),
          import('../observability/diagnosis-log.js'),
        ]);
        const log = log_
          .createLogger(
            // The report on stdout already names every AWS error: at the default level (info) stderr stays quiet
            // but for internal errors; LOG_LEVEL=warn adds the AWS errors, debug everything.
            config.log.level === 'info' ? 'error' : config.log.level,
            process.stderr,
            {},
            { secrets: log_.secretsOf(config) },
          )
          .child({ correlationId: id, surface: 'cli', ...bindings(id) });
        loaded = { log, diagnosisLog };
      }
      for (const { checkId, err } of kept.splice(0)) loaded.log.error({ err, checkId }, 'check failed');
      return loaded;
    },
  };
}
