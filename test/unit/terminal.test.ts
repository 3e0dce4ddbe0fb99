/**
 * The terminal side of text output: wrapping with hanging indentation that never splits a URL or an id, the
 * width chosen for a TTY, a pipe and COLUMNS, colour decided by Node's styleText from the stream and NO_COLOR /
 * FORCE_COLOR, and rows laid out with their styles.
 */
import { PassThrough } from 'node:stream';
import { WriteStream } from 'node:tty';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BLANK,
  bullet,
  columns,
  DEFAULT_WIDTH,
  detectTerminal,
  GLUE,
  layout,
  MIN_WIDTH,
  PLAIN,
  row,
  wrap,
} from '../../src/render/terminal.js';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[\\d+(?:;\\d+)*m`);
const stripAnsi = (s: string) => s.replace(new RegExp(ANSI.source, 'g'), '');

const URL =
  'https://eu-south-1.console.aws.amazon.com/vpcconsole/home?region=eu-south-1#RouteTableDetails:RouteTableId=rtb-6953631cdc826addc';

describe('wrap', () => {
  it('breaks at spaces, continuation lines hanging under the text', () => {
    const lines = wrap('one two three four five six seven eight nine ten', 20, '  · ', 4);
    expect(lines).toEqual(['  · one two three', '    four five six', '    seven eight nine', '    ten']);
  });

  it('never splits a URL: it gets a line of its own and overflows it whole', () => {
    const lines = wrap(`see ${URL} for the route table`, 60, '', 2);
    expect(lines).toEqual(['see', `  ${URL}`, '  for the route table']);
    expect(lines.join(' ')).toContain(URL);
  });

  it('keeps glued words together ("Console:" and its URL) and prints the glue as a space', () => {
    expect(wrap(`Console:${GLUE}${URL}`, 60, '      ', 6)).toEqual([`      Console: ${URL}`]);
  });

  it('without a width: one line, as it was', () => {
    expect(wrap('a  b', undefined, '> ', 2)).toEqual(['> a  b']);
  });

  it('property: no word is split or lost, and a line over the width holds one word too long for any line', () => {
    const word = fc.stringMatching(/^[a-z0-9:/._-]{1,30}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 10, max: 60 }),
        (ws, w) => {
          const lines = wrap(ws.join(' '), w, '  - ', 4);
          expect(lines.join(' ').replace('  - ', '').split(/\s+/).filter(Boolean)).toEqual(ws);
          for (const l of lines) {
            if (columns(l) <= w) continue;
            const words = l
              .trim()
              .split(' ')
              .filter((x) => x !== '-');
            expect(words).toHaveLength(1);
            expect(4 + columns(words[0]!)).toBeGreaterThan(w);
          }
        },
      ),
    );
  });
});

describe('detectTerminal', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  // A TTY as Node sees one: its colour depth read from the environment by tty's own getColorDepth.
  const stream = (tty: boolean, cols?: number) =>
    Object.assign(
      new PassThrough(),
      tty ? { isTTY: true, columns: cols, getColorDepth: WriteStream.prototype.getColorDepth } : {},
    );

  it('wraps to the terminal on a TTY (COLUMNS, then 100 when it does not say); a pipe only to COLUMNS', () => {
    expect(detectTerminal(stream(true, 132)).width).toBe(132);
    expect(detectTerminal(stream(true, 132), '90').width).toBe(132);
    expect(detectTerminal(stream(true), '90').width).toBe(90);
    expect(detectTerminal(stream(true)).width).toBe(DEFAULT_WIDTH);
    expect(detectTerminal(stream(false)).width).toBeUndefined();
    expect(detectTerminal(stream(false), 'wide').width).toBeUndefined();
    expect(detectTerminal(stream(false), '80').width).toBe(80);
    expect(detectTerminal(stream(true, 20)).width).toBe(MIN_WIDTH);
    expect(detectTerminal(stream(false), '12').width).toBe(MIN_WIDTH);
  });

  it('colours a TTY, not a pipe; NO_COLOR turns it off, FORCE_COLOR turns it on anywhere', () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('NODE_DISABLE_COLORS', undefined);
    // Node's getColorDepth answers two colours under a CI variable it does not know (as on our CI machine).
    vi.stubEnv('CI', undefined);
    vi.stubEnv('TERM', 'xterm-256color');
    expect(detectTerminal(stream(false)).color).toBe(false);
    expect(detectTerminal(stream(true, 80)).color).toBe(true);
    vi.stubEnv('NO_COLOR', '1');
    expect(detectTerminal(stream(true, 80)).color).toBe(false);
    vi.stubEnv('FORCE_COLOR', '1');
    expect(detectTerminal(stream(false)).color).toBe(true);
    vi.stubEnv('FORCE_COLOR', '0');
    expect(detectTerminal(stream(true, 80)).color).toBe(false);
  });
});

describe('layout', () => {
  const rows = [
    row(0, 'Why', 'heading'),
    bullet(2, '✗', 'a failing check whose message is long enough to wrap onto a second line', 'fail', 'fail'),
    row(6, `Console:${GLUE}${URL}`),
    BLANK,
    row(2, '  reason: leading spaces are indentation'),
  ];

  it('plain: no escape codes, hanging indentation, URLs whole', () => {
    const out = layout(rows, { color: false, width: 40 }).split('\n');
    expect(out.join('\n')).not.toMatch(ANSI);
    expect(out[1]).toBe('  ✗ a failing check whose message is');
    expect(out[2]).toBe('    long enough to wrap onto a second');
    expect(out).toContain(`      Console: ${URL}`);
    expect(out.slice(-2)).toEqual(['    reason: leading spaces are', '    indentation']);
  });

  it('coloured: styles applied after wrapping, so the widths are the same', () => {
    const plain = layout(rows, { color: false, width: 40 }).split('\n');
    const coloured = layout(rows, { color: true, width: 40 }).split('\n');
    expect(coloured.join('\n')).toMatch(ANSI);
    expect(coloured.map(stripAnsi)).toEqual(plain);
    // The URL in its own style, whole.
    expect(coloured.find((l) => l.includes(URL))).toContain(`${ESC}[36m${ESC}[4m${URL}`);
  });

  it('PLAIN neither wraps nor colours', () => {
    const long = 'x '.repeat(200).trim();
    expect(layout([row(0, long)], PLAIN)).toBe(long);
  });
});
