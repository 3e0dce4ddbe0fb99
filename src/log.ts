/**
 * Structured JSON logs (pino) that never carry a secret, and the correlation ids that tie log lines together.
 *
 * Secrets are kept out three ways: any property whose name says it holds one (token, secret, password,
 * credentials, authorization, signature, cookie, ExternalId, session token, access key) is replaced at any depth,
 * errors included (SDK errors with their `$metadata`/`$response`, Slack/Bolt errors holding a request's headers
 * and body); known secret values (the Slack tokens and signing secret, the ExternalIds) and token-shaped strings
 * (`xoxb-…`, `xapp-…`, presigned AWS query strings) are masked in the final line, wherever they ended up.
 *
 * Correlation: `withCorrelation` runs work in a scope (a Slack request, a diagnosis); every line logged inside it
 * carries the scope's `correlationId`, whichever logger wrote it. A logger bound to an id (`log.child({
 * correlationId })`) keeps its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

const CENSOR = '[redacted]';

const redactPaths = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'accessKeyId',
  '*.accessKeyId',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'Credentials',
  '*.Credentials',
];

/** Property names whose values are secrets, at any depth (matched case-insensitively, anywhere in the name). */
const secretKey =
  /token|secret|passw(?:or)?d|credential|authori[sz]ation|signature|cookie|external.?id|private.?key|api.?key|access.?key/i;

/** Secret-shaped text, masked wherever it appears in a line. */
const secretPatterns: Array<[RegExp, string]> = [
  // Slack bot, user, app-level and refresh tokens.
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, `xox-${CENSOR}`],
  [/\bxapp-[A-Za-z0-9-]+/g, `xapp-${CENSOR}`],
  // Presigned AWS URLs and SigV4 query strings.
  [/(X-Amz-(?:Security-Token|Signature|Credential))=[^&\s"'\\]+/gi, `$1=${CENSOR}`],
  // An Authorization header written out as text (a bearer token; a SigV4 credential scope and signature).
  [/\bBearer\s+[^\s"'\\]+/g, `Bearer ${CENSOR}`],
  [/\bAWS4-HMAC-SHA256\s+[^"'\\\n]+/g, `AWS4-HMAC-SHA256 ${CENSOR}`],
];

const MAX_DEPTH = 8;
const MAX_ARRAY = 50;
const MAX_STRING = 16_000;

/**
 * A JSON-safe copy of a value with secrets removed: properties named like secrets are censored at any depth,
 * errors become plain objects (type, message, stack, their own properties, cause), streams, sockets and other
 * emitters become their class name, buffers their size; cycles and depth are cut.
 */
export function scrub(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as object;
  if (seen.has(obj)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? String(obj) : obj.toISOString();
  if (obj instanceof URL) return obj.href;
  if (Buffer.isBuffer(obj) || ArrayBuffer.isView(obj))
    return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
  if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
  if (isEmitterLike(obj)) return `[${obj.constructor?.name ?? 'Object'}]`;
  if (obj instanceof Promise) return '[Promise]';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const out = obj.slice(0, MAX_ARRAY).map((v) => scrub(v, depth + 1, seen));
      if (obj.length > MAX_ARRAY) out.push(`… ${obj.length - MAX_ARRAY} more`);
      return out;
    }
    if (obj instanceof Map)
      return scrubEntries(
        [...obj.entries()].map(([k, v]) => [String(k), v]),
        depth,
        seen,
      );
    if (obj instanceof Set) return scrub([...obj], depth, seen);
    if (typeof Headers !== 'undefined' && obj instanceof Headers)
      return scrubEntries([...obj.entries()], depth, seen);
    if (obj instanceof Error) return scrubError(obj, depth, seen);
    return scrubEntries(Object.entries(obj), depth, seen);
  } finally {
    seen.delete(obj);
  }
}

function isEmitterLike(obj: object): boolean {
  const o = obj as { pipe?: unknown; on?: unknown; emit?: unknown };
  return typeof o.pipe === 'function' || (typeof o.on === 'function' && typeof o.emit === 'function');
}

function scrubEntries(entries: Array<[string, unknown]>, depth: number, seen: WeakSet<object>) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    if (v === undefined || typeof v === 'function') continue;
    if (secretKey.test(k)) {
      out[k] = CENSOR;
      continue;
    }
    const s = scrub(v, depth + 1, seen);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** An error as a plain object: what pino's err serializer gives, without secrets, raw HTTP objects or cycles. */
function scrubError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const ctor = err.constructor?.name;
  const out: Record<string, unknown> = {
    type: ctor && ctor !== 'Object' ? ctor : err.name,
    message: scrub(err.message, depth + 1, seen),
  };
  if (err.name && err.name !== out.type) out.name = err.name;
  if (err.stack) out.stack = scrub(err.stack, depth + 1, seen);
  for (const [k, v] of Object.entries(err)) {
    if (k in out || v === undefined || typeof v === 'function' || (k === 'name' && v === out.type)) continue;
    if (k === '$response') {
      // The raw HTTP response of an SDK error: its status is worth keeping, its body and sockets are not.
      const status = (v as { statusCode?: unknown } | null)?.statusCode;
      if (typeof status === 'number') out.$response = { statusCode: status };
      continue;
    }
    out[k] = secretKey.test(k) ? CENSOR : scrub(v, depth + 1, seen);
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && !('cause' in out)) out.cause = scrub(cause, depth + 1, seen);
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors) && !('errors' in out)) out.errors = scrub(errors, depth + 1, seen);
  return out;
}

/** Escapes a value as it appears inside a JSON string. */
function jsonEscaped(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Masks known secret values and secret-shaped text in a finished log line. */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(CENSOR);
    const escaped = jsonEscaped(s);
    if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join(CENSOR);
  }
  for (const [re, replacement] of secretPatterns) out = out.replace(re, replacement);
  return out;
}

/** Values shorter than this are not masked by value (they would mangle ordinary words); names still protect them. */
const MIN_SECRET_LENGTH = 6;

export interface LoggerOptions {
  /** Secret values to mask wherever they appear (see secretsOf). */
  secrets?: Iterable<string | undefined>;
}

/** The secret values in a configuration: Slack tokens and signing secret, every ExternalId. */
export function secretsOf(config: Config): string[] {
  return [
    config.slack.botToken,
    config.slack.appToken,
    config.slack.signingSecret,
    config.externalId,
    ...Object.values(config.accounts).map((a) => a.externalId),
  ].filter((s): s is string => typeof s === 'string');
}

// ---------------------------------------------------------------------------------------------------------------
// Correlation

/** A unit of work whose log lines share one id: a Slack request, a diagnosis, a CLI run. */
export interface CorrelationScope {
  id: string;
  /** Ids of the diagnoses run inside it (a Slack request may run several). */
  diagnoses: string[];
  /** True once a diagnosis took the scope's own id (the first one does). */
  adopted?: boolean;
}

const scopes = new AsyncLocalStorage<CorrelationScope>();

/** A short id that ties a user-visible apology to the log lines of one diagnosis. */
export function correlationId(): string {
  return randomUUID().slice(0, 8);
}

/** A new scope with a fresh id. */
export function newScope(id = correlationId()): CorrelationScope {
  return { id, diagnoses: [] };
}

/** Runs fn inside the scope: every line logged meanwhile (by any logger from createLogger) carries its id. */
export function withCorrelation<T>(scope: CorrelationScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The scope the caller runs in, if any. */
export function currentScope(): CorrelationScope | undefined {
  return scopes.getStore();
}

/**
 * The id of a diagnosis starting now. The first diagnosis of a scope (a Slack request) takes the scope's id, so
 * that an apology for the request and the diagnosis' own lines show the same id; later ones get their own.
 */
export function diagnosisId(): string {
  const scope = scopes.getStore();
  let id: string;
  if (scope && !scope.adopted) {
    scope.adopted = true;
    id = scope.id;
  } else {
    id = correlationId();
  }
  scope?.diagnoses.push(id);
  return id;
}

const chindingsSym = pino.symbols.chindingsSym;

/** Adds the scope's correlationId to a line that has none of its own (neither given nor bound to the logger). */
function correlationMixin(obj: object, _level: number, logger: Logger): object {
  const scope = scopes.getStore();
  if (!scope || 'correlationId' in obj) return {};
  const bound = (logger as unknown as Record<symbol, unknown>)[chindingsSym];
  if (typeof bound === 'string' && bound.includes('"correlationId":')) return {};
  return { correlationId: scope.id };
}

/** A logger writing JSON lines to the given stream (stderr for the CLI, stdout for the app). */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stderr,
  bindings: Record<string, unknown> = {},
  options: LoggerOptions = {},
): Logger {
  const secrets = [...new Set([...(options.secrets ?? [])])]
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    // Longest first, so that a secret containing another is masked whole.
    .sort((a, b) => b.length - a.length);
  return pino(
    {
      level,
      base: { app: 'ecs-pull', ...bindings },
      redact: { paths: redactPaths, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are made plain (and scrubbed) by the log formatter; pino's own err serializer would re-wrap them.
      serializers: { err: (e: unknown) => e },
      formatters: {
        bindings: (b) => scrub(b) as Record<string, unknown>,
        log: (obj) => scrub(obj) as Record<string, unknown>,
      },
      mixin: correlationMixin,
      hooks: { streamWrite: (line) => maskSecrets(line, secrets) },
    },
    destination as pino.DestinationStream,
  );
}
