/** Where CLI commands write, injectable so that tests can run commands in-process. */
import { userInfo } from 'node:os';
import { detectTerminal, type Terminal } from '../render/terminal.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** Who is running the command (goes into the role session name). */
  user(): string;
  /** Colour and width of standard output for text reports; none: plain, unwrapped. */
  terminal?(): Terminal;
}

/** The process' own streams. */
export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  user: () => {
    try {
      return userInfo().username;
    } catch {
      return 'unknown';
    }
  },
  // COLUMNS is the terminal's, not configuration: read here with the stream it describes.
  terminal: () => detectTerminal(process.stdout, process.env.COLUMNS),
};
