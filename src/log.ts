/** Structured JSON logs (pino) with secrets redacted by path. */
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';

export type { Logger };

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

/** A logger writing JSON lines to the given stream (stderr for the CLI, stdout for the app). */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream = process.stderr,
  bindings: Record<string, unknown> = {},
): Logger {
  return pino(
    {
      level,
      base: { app: 'ecs-pull', ...bindings },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}

/** A short id that ties a user-visible apology to the log lines of one diagnosis. */
export function correlationId(): string {
  return randomUUID().slice(0, 8);
}
