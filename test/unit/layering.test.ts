/**
 * The pure half (evaluate → checks → renderers) must not load the AWS SDK: replay and the demo run without it
 * and start fast. Walks the value-import graph from the pure entry points.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');

function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(?!type\b)([^;]*?)\s+from\s+'([^']+)';/gms;
  for (const m of text.matchAll(re)) {
    // `import { type A, type B } from` imports no values either.
    const names = m[1] ?? '';
    const braces = /^\{([^}]*)\}$/s.exec(names.trim());
    if (braces && braces[1]!.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
    out.push(m[2]!);
  }
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out;
}

function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of valueImports(f)) {
      if (spec.startsWith('.')) stack.push(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
      else seen.add(spec);
    }
  }
  return seen;
}

describe('layering: the pure pipeline does not import the AWS SDK', () => {
  it.each([
    'diagnosis/evaluate.ts',
    'diagnosis/check-report.ts',
    'render/text.ts',
    'render/json.ts',
    'cli/classify.ts',
    'cli/demo.ts',
  ])('%s', (entry) => {
    const deps = [...closure(join(src, entry))];
    expect(deps.filter((d) => d.startsWith('@aws-sdk/') && d !== '@aws-sdk/util-arn-parser')).toEqual([]);
  });
});
