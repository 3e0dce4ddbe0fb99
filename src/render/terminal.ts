/**
 * The terminal's side of the text output: whether to colour it and how wide to wrap it. Colour is Node's own
 * `util.styleText`, which decides from the stream (a TTY) and the environment (NO_COLOR, NODE_DISABLE_COLORS,
 * FORCE_COLOR, TERM=dumb) the way other Node tools do. Wrapping breaks only at spaces, with hanging indentation,
 * so a URL, an ARN or an id is never split: a token longer than the line overflows it whole.
 */
import { styleText } from 'node:util';

export interface Terminal {
  /** Whether to write ANSI colours and styles. */
  color: boolean;
  /** Columns to wrap to; undefined: no wrapping. */
  width?: number;
}

/** No colour, no wrapping: what tests and `--json` get. */
export const PLAIN: Terminal = Object.freeze({ color: false });

/** The width on a terminal that does not say how wide it is (and COLUMNS does not either). */
export const DEFAULT_WIDTH = 100;

/** Narrower than this, hanging indentation leaves no room for words: wrap at this width anyway. */
export const MIN_WIDTH = 40;

/** What the writing end looks like; process.stdout in the CLI. */
export interface OutputStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colour and width for a stream. On a TTY: its own columns, else COLUMNS, else DEFAULT_WIDTH. Into a pipe or a
 * file: COLUMNS when set, else no wrapping, so that each fact stays on one line for grep, scripts and viewers
 * that wrap themselves. Never below MIN_WIDTH.
 */
export function detectTerminal(stream: OutputStream, columnsEnv?: string): Terminal {
  // Node decides (validateStream): a TTY with colours, unless NO_COLOR / NODE_DISABLE_COLORS; FORCE_COLOR wins.
  const color = styleText('bold', 'x', { stream, validateStream: true }) !== 'x';
  const fromEnv = columnsEnv && /^\d+$/.test(columnsEnv.trim()) ? Number(columnsEnv) : 0;
  const ttyColumns = stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : 0;
  const width = stream.isTTY ? ttyColumns || fromEnv || DEFAULT_WIDTH : fromEnv;
  return width ? { color, width: Math.max(MIN_WIDTH, width) } : { color };
}

/** What a piece of text is, for its colour; the renderers never name colours themselves. */
export type Role =
  | 'title'
  | 'heading'
  | 'answer'
  | 'fix'
  | 'muted'
  | 'link'
  | 'fail'
  | 'warn'
  | 'pass'
  | 'unknown'
  | 'skip'
  | 'high'
  | 'medium'
  | 'low';

type Format = Parameters<typeof styleText>[0];

const FORMATS: Record<Role, Format> = {
  title: 'bold',
  heading: ['bold', 'underline'],
  answer: 'bold',
  fix: 'green',
  muted: 'dim',
  link: ['cyan', 'underline'],
  fail: ['red', 'bold'],
  warn: ['yellow', 'bold'],
  pass: 'green',
  unknown: 'magenta',
  skip: 'dim',
  high: 'green',
  medium: 'yellow',
  low: 'red',
};

/** Text in a role's style, or as it is without colour. */
export function paint(term: Terminal, role: Role | undefined, text: string): string {
  if (!term.color || !role || !text) return text;
  return styleText(FORMATS[role], text, { validateStream: false });
}

/** Length in columns (code points: the text is Latin script, symbols and no wide characters). */
export const columns = (s: string) => [...s].length;

/**
 * A no-break space: words joined by it are wrapped as one ("Console:" and its URL stay together) and printed
 * with a plain space.
 */
export const GLUE = '\u00a0';

/**
 * Wraps `text` to `width`, the first line after `first` (its prefix: indentation and a mark), the others after
 * `rest` spaces. Breaks only at spaces: a word longer than a whole line gets a line of its own and overflows it,
 * whole. No width: one line.
 */
export function wrap(text: string, width: number | undefined, first: string, rest: number): string[] {
  const unglue = (s: string) => s.replaceAll(GLUE, ' ');
  if (!width) return [unglue(first + text)];
  const pad = ' '.repeat(rest);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (word === '') continue;
    if (!empty && columns(line) + 1 + columns(word) > width) {
      lines.push(line);
      line = pad;
      empty = true;
    }
    line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => unglue(l.trimEnd()));
}

/** One logical line of output: wrapped as a unit, continuation lines hanging under its text. */
export interface Row {
  /** Spaces before it. */
  indent: number;
  /** What stands before the text ("·", "✗", a percentage): continuation lines hang after it. */
  mark?: string;
  markRole?: Role;
  text: string;
  role?: Role;
  /** Shown as it is, never coloured (a command to paste into a shell): never wrapped, a `# ` comment only into comment lines. */
  raw?: boolean;
}

export const row = (indent: number, text: string, role?: Role): Row => ({ indent, text, role });
export const bullet = (indent: number, mark: string, text: string, role?: Role, markRole?: Role): Row => ({
  indent,
  mark,
  text,
  role,
  markRole,
});
export const BLANK: Row = Object.freeze({ indent: 0, text: '' });
/** A line shown as it is, after its indentation: never wrapped or coloured, so that it can be pasted. */
export const raw = (indent: number, text: string): Row => ({ indent, text, raw: true });

const URL_RE = /\bhttps?:\/\/[^\s"'<>)]+/g;

/** A line's text in its role's style, URLs in theirs (a URL is never split, so it is whole on the line). */
function paintText(term: Terminal, role: Role | undefined, text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    out += paint(term, role, text.slice(last, m.index)) + paint(term, 'link', m[0]);
    last = m.index + m[0].length;
  }
  return out + paint(term, role, text.slice(last));
}

/** Lays rows out for a terminal: each wrapped to its width with hanging indentation, then coloured. */
export function layout(rows: readonly Row[], term: Terminal): string {
  const out: string[] = [];
  for (const r of rows) {
    if (r.raw) {
      const indent = ' '.repeat(r.indent);
      // A shell comment wraps like text, each line a comment again; a command is never wrapped or coloured.
      if (r.text.startsWith('# ') && term.width) {
        const lines = wrap(r.text.slice(2), term.width, `${indent}# `, indent.length + 2);
        out.push(...lines.map((l, i) => (i === 0 ? l : `${indent}# ${l.slice(indent.length + 2)}`)));
      } else out.push(indent + r.text);
      continue;
    }
    // Leading spaces in a sentence ("  reason: …") are indentation.
    const lead = /^ */.exec(r.text)![0].length;
    const indent = ' '.repeat(r.indent + lead);
    const text = r.text.slice(lead);
    const mark = r.mark ? `${r.mark} ` : '';
    const lines = wrap(text, term.width, indent + mark, indent.length + columns(mark));
    lines.forEach((line, i) => {
      if (!term.color) {
        out.push(line);
        return;
      }
      const head = i === 0 ? indent.length + mark.length : Math.min(line.length, indent.length + mark.length);
      const body = line.slice(head);
      const markPart =
        i === 0 && r.mark ? `${paint(term, r.markRole, r.mark)} ` : line.slice(indent.length, head);
      out.push(indent + markPart + paintText(term, r.role, body));
    });
  }
  return out.join('\n');
}
