/** runtime: the Node.js ecs-pull ships and tests on is one supported line, named the same way everywhere. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pinned = read('.node-version').trim();
const [major, minor] = pinned.split('.').map(Number) as [number, number];
const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

/** Every file of ours under a folder (no dependencies, no build output). */
function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(root, dir, name);
    return statSync(path).isDirectory() ? filesUnder(relative(root, path)) : [relative(root, path)];
  });
}

describe('runtime: Node.js 24 LTS in the image and CI, 22.12+ accepted', () => {
  it('.node-version pins a full Node 24 release (an LTS line)', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(major).toBe(24);
  });

  it("the Dockerfile's build and run stages use that line with its minor pinned", () => {
    const froms = read('Dockerfile')
      .split('\n')
      .filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(2);
    for (const from of froms)
      expect(from).toMatch(new RegExp(`^FROM node:${major}\\.${minor}-bookworm-slim\\b`));
  });

  it('package.json accepts Node 22.12 and newer, and the Node running these tests is one of them', () => {
    expect(engines).toBe('>=22.12');
    const [m, n] = process.versions.node.split('.').map(Number) as [number, number];
    expect(m > 22 || (m === 22 && n >= 12)).toBe(true);
  });

  it("no file switches off the AWS SDK's Node version warning", () => {
    const setting = ['AWS_SDK_JS_NODE_VERSION', 'SUPPORT_WARNING_DISABLED'].join('_');
    const files = [
      'Dockerfile',
      'vitest.config.ts',
      '.ci/run',
      ...['src', 'test', 'bench', 'deploy', 'scripts'].flatMap(filesUnder),
    ];
    const offenders = files.filter((f) => read(f).includes(setting));
    expect(offenders).toEqual([]);
  });

  it('.ci/run puts the pinned Node first on PATH before npm ci, and prints its version', () => {
    const ci = read('.ci/run');
    const useNode = ci.indexOf('bash scripts/use-node.sh)');
    expect(useNode).toBeGreaterThan(-1);
    expect(useNode).toBeLessThan(ci.indexOf('npm ci --no-audit'));
    expect(ci).toContain('export PATH="$node_bin:$PATH"');
    expect(ci).toContain('node --version');
  });
});
