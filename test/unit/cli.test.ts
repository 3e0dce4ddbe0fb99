/** The CLI in-process: exit codes and one localized line for anything a user can get wrong. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../../src/cli/demo.js';
import { run } from '../../src/cli.js';
import { captureIo } from '../helpers/cli.js';

describe('ecs-pull CLI: bad input', () => {
  it.each([
    [['why', 'not-an-arn'], 'en', /is not a task ARN/],
    [['why', 'not-an-arn', '--lang', 'it'], 'it', /non è l'ARN di un'attività/],
    [['why', 'not-an-arn', '--lang=it'], 'it', /non è l'ARN di un'attività/],
    [['why', 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web'], 'en', /not a task ARN/],
    [['why'], 'en', /Missing the required argument <task>\. Run `ecs-pull why --help`/],
    [['why', 'x', '--frobnicate'], 'en', /Unknown option --frobnicate\. Run `ecs-pull why --help`/],
    [['whatever'], 'en', /Unknown command whatever\. Run `ecs-pull --help`/],
    [['why', 'not-an-arn', '--lang', 'de'], 'en', /Unknown language “de”/],
  ])('%j → exit 2 and one line', async (argv, _lang, pattern) => {
    const { io, out, err } = captureIo();
    const code = await run(argv, io);
    expect(code).toBe(2);
    expect(out()).toBe('');
    const text = err();
    expect(text).toMatch(pattern);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).not.toMatch(/\n\s+at /);
  });

  it('reports an invalid configuration file with the key, in Italian when asked', async () => {
    const { io, err } = captureIo();
    const code = await run(
      [
        'why',
        'arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef',
        '--lang',
        'it',
        '--config',
        '/nonexistent.yml',
      ],
      io,
    );
    expect(code).toBe(2);
    expect(err()).toMatch(/Impossibile leggere il file di configurazione \/nonexistent\.yml/);
  });

  it('prints help with exit 0', async () => {
    const { io, out } = captureIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(out()).toContain('why');
  });

  it("demo's help names the scenario demo shows by default (program.ts keeps its own copy of the name)", async () => {
    const { io, out } = captureIo();
    expect(await run(['demo', '--help'], io)).toBe(0);
    expect(out()).toContain(`(default: ${DEFAULT_SCENARIO})`);
  });

  it('says in words that a facts file does not exist, never ENOENT', async () => {
    const { io, err } = captureIo();
    expect(await run(['replay', '/nonexistent/facts.json'], io)).toBe(2);
    expect(err()).toContain('There is no file /nonexistent/facts.json');
    expect(err()).not.toMatch(/ENOENT|EISDIR/);
  });
});
