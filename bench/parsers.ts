/**
 * `BENCH_PARTS=parsers npm run bench`: the worst case of every parser of Slack-supplied text at Slack's 40,000
 * characters (and at the alert reader's own limit, which attachments and blocks can reach), over the adversarial
 * inputs of test/helpers/adversarial.ts (the property test's families). Each input is timed 5 times after a
 * warm-up (once when the warm-up took over 200 ms); the median counts. Needs neither moto nor Slack.
 */
import { inputsOf, type Parser, parsers, SLACK_TEXT_LIMIT, timeOf } from '../test/helpers/adversarial.js';

export interface ParserBenchRow {
  parser: string;
  /** Characters of each input. */
  length: number;
  inputs: number;
  worstInput: string;
  worstMs: number;
  medianMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One row per parser at Slack's 40,000 characters, and one more at its own limit when that is higher. */
export function benchParsers(): ParserBenchRow[] {
  return parsers.flatMap((p) =>
    [SLACK_TEXT_LIMIT, ...(p.limit && p.limit > SLACK_TEXT_LIMIT ? [p.limit] : [])].map((length) =>
      benchOne(p, length),
    ),
  );
}

function benchOne(p: Parser, length: number): ParserBenchRow {
  const times: Array<{ name: string; ms: number }> = [];
  for (const input of inputsOf(p, length)) {
    // The warm-up is timed too: an input that takes seconds is not worth four more runs.
    const first = timeOf(() => p.run(input.text), 1);
    const runs = first > 200 ? [first] : Array.from({ length: 5 }, () => timeOf(() => p.run(input.text), 1));
    times.push({ name: input.name, ms: median(runs) });
  }
  const worst = times.reduce((a, b) => (b.ms > a.ms ? b : a));
  return {
    parser: p.name,
    length,
    inputs: times.length,
    worstInput: worst.name.length > 60 ? `${worst.name.slice(0, 59)}…` : worst.name,
    worstMs: worst.ms,
    medianMs: median(times.map((t) => t.ms)),
  };
}

/** Prints the table; false when a parser's worst case misses the bound the property test holds it to. */
export function printParserBench(boundMs = 50): boolean {
  const rows = benchParsers();
  const head = ['parser', 'characters', 'inputs', 'worst (ms)', 'median (ms)', 'worst input'];
  const table = rows.map((r) => [
    r.parser,
    r.length.toLocaleString('en'),
    String(r.inputs),
    r.worstMs.toFixed(1),
    r.medianMs.toFixed(2),
    r.worstInput,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table) console.log(line(row));
  const at40k = Math.max(...rows.filter((r) => r.length === SLACK_TEXT_LIMIT).map((r) => r.worstMs));
  const worst = Math.max(...rows.map((r) => r.worstMs));
  const ok = worst < boundMs;
  console.log('');
  console.log(
    `parsers, worst case at ${SLACK_TEXT_LIMIT.toLocaleString('en')} characters: ${at40k.toFixed(1)} ms; at any length they accept: ${worst.toFixed(1)} ms (target < ${boundMs} ms) → ${ok ? 'met' : 'NOT met'}`,
  );
  return ok;
}
