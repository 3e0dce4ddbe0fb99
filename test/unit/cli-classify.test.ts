/** `ecs-pull classify` in-process: JSON and localized text, the message from an argument or from stdin. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { CAUSE_IDS } from '../../src/diagnosis/causes.js';
import { captureIo } from '../helpers/cli.js';

const TIMEOUT =
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.3: failed to do request: Head "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/api/manifests/1.0.3": dial tcp 54.72.13.9:443: i/o timeout';
const PLATFORM =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): image Manifest does not contain descriptor matching platform 'linux/arm64'";

describe('ecs-pull classify --json', () => {
  it('prints {"causes":[{id, confidence}]} best first for a timeout', async () => {
    const { io, out, err } = captureIo();
    expect(await run(['classify', TIMEOUT, '--json'], io)).toBe(0);
    expect(err()).toBe('');
    const parsed = JSON.parse(out()) as { causes: Array<{ id: string; confidence: number }> };
    expect(Object.keys(parsed)).toEqual(['causes']);
    expect(parsed.causes[0]).toEqual({ id: 'network-no-route', confidence: expect.any(Number) });
    for (const c of parsed.causes) {
      expect(Object.keys(c)).toEqual(['id', 'confidence']);
      expect(CAUSE_IDS).toContain(c.id);
    }
    const confidences = parsed.causes.map((c) => c.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    expect(confidences.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    expect(parsed.causes.length).toBeGreaterThan(1);
  });

  it('reads the message from stdin with "-", several containers one per line', async () => {
    const { io, out, reads } = captureIo(`Task failed to start\n${PLATFORM}\n`);
    expect(await run(['classify', '-', '--json'], io)).toBe(0);
    expect(reads()).toBe(1);
    expect(JSON.parse(out()).causes[0]).toEqual({ id: 'platform-mismatch', confidence: 0.95 });
  });

  it('keeps the typographic apostrophe of the 2024 prefix', async () => {
    const { io, out } = captureIo();
    await run(
      [
        'classify',
        'CannotPullContainerError: The task can’t pull the image. Check whether the image exists.',
        '--json',
      ],
      io,
    );
    expect(JSON.parse(out()).causes[0].id).toBe('image-not-found');
  });

  it('says unknown for text it does not recognise', async () => {
    const { io, out } = captureIo();
    expect(await run(['classify', 'lorem ipsum', '--json'], io)).toBe(0);
    expect(JSON.parse(out())).toEqual({ causes: [{ id: 'unknown', confidence: 1 }] });
  });
});

describe('ecs-pull classify (text)', () => {
  it('English: percentages, cause names, the fragments that decided', async () => {
    const { io, out } = captureIo();
    expect(await run(['classify', TIMEOUT], io)).toBe(0);
    const text = out();
    expect(text).toMatch(/^Likely causes from the message alone/);
    expect(text).toMatch(/\d+% {2}no route out of the subnet/);
    expect(text).toMatch(/\d+% {2}VPC endpoints/);
    expect(text).toContain('“i/o timeout”');
    expect(text).toContain(
      'Image named in the message: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.0.3',
    );
    expect(text).not.toMatch(/\{\{|causes:/);
  });

  it('Italian with --lang it', async () => {
    const { io, out } = captureIo();
    expect(await run(['classify', PLATFORM, '--lang', 'it'], io)).toBe(0);
    const text = out();
    expect(text).toMatch(/^Cause probabili in base al solo messaggio/);
    expect(text).toMatch(/95% {2}immagine creata per un'altra piattaforma/);
    expect(text).toMatch(/per via di: “does not contain descriptor matching platform 'linux\/arm64'”/);
  });

  it('Italian, unrecognised text', async () => {
    const { io, out } = captureIo('the flux capacitor broke');
    expect(await run(['classify', '-', '--lang=it'], io)).toBe(0);
    expect(out()).toMatch(/non contiene nulla che indichi una causa nota/);
  });
});

describe('ecs-pull classify: bad input', () => {
  it('an empty message (stdin) → exit 2, one localized line', async () => {
    const { io, out, err } = captureIo('   \n');
    expect(await run(['classify', '-', '--lang', 'it'], io)).toBe(2);
    expect(out()).toBe('');
    expect(err()).toMatch(/^ecs-pull: Indica un messaggio di arresto da classificare/);
    expect(err().trim().split('\n')).toHaveLength(1);
  });

  it('no argument → usage error', async () => {
    const { io, err } = captureIo();
    expect(await run(['classify'], io)).toBe(2);
    expect(err()).toMatch(/Missing the required argument <message>\. Run `ecs-pull classify --help`/);
  });

  it('is listed in the help', async () => {
    const { io, out } = captureIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(out()).toMatch(/classify/);
  });
});

describe('ecs-pull classify: no AWS SDK on its path', () => {
  const src = join(import.meta.dirname, '..', '..', 'src');
  function imports(file: string): string[] {
    const text = readFileSync(file, 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+'([^']+)';/gms)) {
      const names = (m[1] ?? '').trim();
      const braces = /^\{([^}]*)\}$/s.exec(names);
      if (braces && braces[1]!.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
      out.push(m[2]!);
    }
    for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
    return out;
  }

  it('src/cli/classify.ts, static and dynamic imports, loads no @aws-sdk client', () => {
    const seen = new Set<string>();
    const stack = [join(src, 'cli', 'classify.ts')];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const spec of imports(f)) {
        if (spec.startsWith('.')) stack.push(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
        else seen.add(spec);
      }
    }
    expect([...seen].filter((d) => d.startsWith('@aws-sdk/') && d !== '@aws-sdk/util-arn-parser')).toEqual(
      [],
    );
    expect([...seen].some((d) => d.endsWith('classify.ts') && d.includes('diagnosis'))).toBe(true);
  });
});
