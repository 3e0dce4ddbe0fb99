/** Where CLI commands write, injectable so that tests can run commands in-process. */
import { userInfo } from 'node:os';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  /** Who is running the command (goes into the role session name). */
  user(): string;
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
};
