/**
 * A cause's sentence never contradicts what the stop message says (issue 14, point 8): the wording is picked from
 * what the message shows (an image with its registry, a credentials secret that could not be read, an address
 * that was dialled), in `why` and in `classify` alike. And "Also check" leaves out the hints a check that ran
 * already answers (issue 14, point 6: each point said once).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { causeFix, causeHints, causeSummary } from '../../src/diagnosis/causes.js';
import { decide } from '../../src/diagnosis/verdict.js';
import { translator } from '../../src/i18n.js';
import { say } from '../../src/render/text.js';
import { captureIo } from '../helpers/cli.js';
import { result, taskContext } from '../helpers/verdict-context.js';

const ECR_IMAGE = '123456789012.dkr.ecr.eu-south-1.amazonaws.com/shop/checkout:2.14.0';

describe('cause wording follows what the message says', () => {
  it('image reference: "a name without a registry" only for a name without one', () => {
    expect(causeSummary('image-reference', { image: 'billing:3.1.0' }).key).toBe(
      'causes:image-reference.summary.image',
    );
    expect(causeSummary('image-reference', { image: 'docker.io/library/billing:3.1.0' }).key).toBe(
      'causes:image-reference.summary.image',
    );
    for (const image of [ECR_IMAGE, 'ghcr.io/acme/worker:1.8.0', 'public.ecr.aws/nginx/nginx:1.27']) {
      expect(causeSummary('image-reference', { image }).key).toBe('causes:image-reference.summary.named');
      expect(causeFix('image-reference', { image }).key).toBe('causes:image-reference.fix.named');
    }
  });

  it('registry credentials that could not be read are not "the registry refused the image"', () => {
    expect(causeSummary('registry-auth', { step: 'registry-credentials', image: 'ghcr.io/a/b:1' }).key).toBe(
      'causes:registry-auth.summary.stored',
    );
    expect(causeSummary('registry-auth', { image: 'ghcr.io/a/b:1' }).key).toBe(
      'causes:registry-auth.summary.image',
    );
    // A check that names the secret still wins.
    expect(causeSummary('registry-auth', { step: 'registry-credentials', secret: 'arn:s' }).key).toBe(
      'causes:registry-auth.summary.secret',
    );
  });

  it('DNS: a message that shows the address dialled is not "could not resolve"', () => {
    expect(causeSummary('dns', { vpcId: 'vpc-1', dialled: 'public' }).key).toBe(
      'causes:dns.summary.resolved',
    );
    expect(causeSummary('dns', { vpcId: 'vpc-1' }).key).toBe('causes:dns.summary.vpc');
  });

  it('the verdict passes what the message says: a timeout to a dialled address keeps DNS from "could not resolve"', () => {
    const ctx = taskContext({
      reason: `CannotPullContainerError: failed to resolve ref ${ECR_IMAGE}: failed to do request: Head "https://123456789012.dkr.ecr.eu-south-1.amazonaws.com/v2/x": dial tcp 3.5.246.12:443: i/o timeout`,
    });
    const { causes } = decide(ctx, [
      result('dns.dhcp-options', 'fail', 'custom', { dhcpOptionsId: 'dopt-1' }),
    ]);
    expect(causes.find((c) => c.id === 'dns')!.summary!.key).toBe('causes:dns.summary.resolved');
  });
});

describe('classify: no summary contradicts the message (every message of the corpus)', () => {
  const corpus = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', 'stop-messages.json'), 'utf8'),
  ) as { messages: Array<{ name: string; message: string | string[] }> };

  it.each(corpus.messages.map((m) => [m.name, m] as const))('%s', async (_n, m) => {
    const text = [m.message].flat().join('\n');
    const { io, out } = captureIo(text);
    expect(await run(['classify', '-'], io)).toBe(0);
    const said = out();
    const message = text.toLowerCase();
    // An image named with its registry (not containerd's docker.io/library/ spelling of a bare name).
    const named = /failed to resolve ref "?[a-z0-9.-]+\.[a-z]{2,}\/(?!library\/)/i.test(text);
    if (named) expect(said).not.toContain('a name without a registry goes to Docker Hub');
    // ECS was reading the credentials of a private registry (repositoryCredentials), not talking to the registry.
    if (
      /registry auth from asm|get registry auth|private registry auth|pull secrets or registry auth: pull/.test(
        message,
      )
    )
      expect(said).not.toMatch(/The registry refused/);
    if (/dial tcp \d/.test(message)) expect(said).not.toContain("could not resolve the registry's name");
    if (/connection refused/.test(message)) expect(said).not.toMatch(/timed out/);
    if (/logs\.[a-z0-9-]+\.amazonaws\.com|secretsmanager|ssm\./.test(message))
      expect(said).not.toMatch(/the pull timed out/);
  });

  it('a full ECR reference (issue 14’s example) and a missing credentials secret', async () => {
    const ecr = captureIo();
    await run(
      ['classify', `CannotPullContainerError: failed to resolve ref ${ECR_IMAGE}: ${ECR_IMAGE}: not found`],
      ecr.io,
    );
    expect(ecr.out()).toContain(`The image reference ${ECR_IMAGE} may not name the image you meant`);
    const secret = captureIo();
    await run(
      [
        'classify',
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
        '--lang',
        'it',
      ],
      secret.io,
    );
    expect(secret.out()).toContain("L'attività non è riuscita a leggere le credenziali del registro");
    expect(secret.out()).not.toContain('Il registro ha rifiutato');
  });
});

describe('Also check: hints a check already answered are left out', () => {
  const en = translator('en');
  const keys = (ms: { key: string }[]) => ms.map((m) => m.key);

  it('a hint stays while its check did not run (skip, unknown), goes once it did (pass, warn, fail)', () => {
    const hint2 = 'causes:network-no-route.hint.2';
    expect(keys(causeHints('network-no-route'))).toContain(hint2);
    for (const status of ['skip', 'unknown'] as const) {
      expect(keys(causeHints('network-no-route', [result('endpoints.required', status, 'x')]))).toContain(
        hint2,
      );
    }
    for (const status of ['pass', 'warn', 'fail'] as const) {
      expect(keys(causeHints('network-no-route', [result('endpoints.required', status, 'x')]))).not.toContain(
        hint2,
      );
    }
  });

  it('a hint answered by two checks goes only when both ran', () => {
    const az = result('endpoints.availability-zones', 'pass', 'x');
    const sg = result('endpoints.security-groups', 'pass', 'x');
    expect(keys(causeHints('vpc-endpoint', [az]))).toContain('causes:vpc-endpoint.hint.2');
    expect(keys(causeHints('vpc-endpoint', [az, sg]))).not.toContain('causes:vpc-endpoint.hint.2');
  });

  it('"the checks marked unknown below" only when one is', () => {
    const pass = result('network.route', 'pass', 'x');
    expect(keys(causeHints('unknown', [pass]))).not.toContain('causes:unknown.hint.2');
    expect(keys(causeHints('unknown', [pass, result('network.nacl', 'unknown', '')]))).toContain(
      'causes:unknown.hint.2',
    );
  });

  it('not a pull failure has no hint: the verdict’s note already says that no check ran', () => {
    expect(causeHints('not-a-pull-failure')).toEqual([]);
    expect(say(en, { key: 'causes:verdict.not-a-pull' })).toMatch(/checks were not run/);
  });
});
