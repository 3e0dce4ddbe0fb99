/**
 * What a POSIX shell makes of fix command lines: each line run by /bin/sh with `aws`, `docker` and `jq` replaced
 * by functions that record the words they were given (hex-encoded, so that any byte comes back as it was). A
 * command that keeps its output in a variable (`NAME=$(…)`) sets it to what the stand-in printed: nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellWord } from '../../src/diagnosis/commands.js';

/** Runs the lines (in a scratch directory, the variables set first); returns each program call's words. */
export function shellArgs(lines: readonly string[], vars: Record<string, string> = {}): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pull-sh-'));
  try {
    const log = join(dir, 'words.log');
    const script = [
      `rec() { printf '%s\\n' "$#" >> "$WORDS_LOG"; for a in "$@"; do printf '%s' "$a" | od -An -v -tx1 | tr -d ' \\n' >> "$WORDS_LOG"; printf '\\n' >> "$WORDS_LOG"; done; }`,
      'aws() { rec aws "$@"; }',
      // After a pipe: read to the end first, so that the call before it has written its record.
      'docker() { cat >/dev/null; rec docker "$@"; }',
      'jq() { cat >/dev/null; rec jq "$@"; }',
      ...Object.entries(vars).map(([k, v]) => `${k}=${shellWord(v)}`),
      ...lines,
    ].join('\n');
    execFileSync('/bin/sh', ['-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WORDS_LOG: log, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 30_000,
    });
    const rows = readFileSync(log, 'utf8').split('\n');
    const out: string[][] = [];
    for (let i = 0; i < rows.length && rows[i] !== ''; ) {
      const n = Number(rows[i++]);
      out.push(rows.slice(i, i + n).map((h) => Buffer.from(h, 'hex').toString('utf8')));
      i += n;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
