/** A real pino logger writing into memory, so that tests can read what the app logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

export interface CapturedLog {
  log: Logger;
  /** Every line logged so far, parsed. */
  entries(): Array<Record<string, unknown> & { msg?: string; level?: number }>;
  text(): string;
}

export function captureLog(level = 'info'): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return {
    log: createLogger(level, sink),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}
