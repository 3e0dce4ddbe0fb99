/**
 * The classifier over a corpus of stop messages from every ECS agent era: top-1 accuracy on the messages that
 * name one cause, the right family on those that cannot, several candidates where the text is ambiguous, and
 * nothing thrown whatever comes in. ECS's plain-language reasons (issue 16) are a corpus of their own, each with
 * where it came from: every one of them must be classified to its family.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS, type CauseId, NETWORK_FAMILY } from '../../src/diagnosis/causes.js';
import { classify } from '../../src/diagnosis/classify.js';
import { levelOf } from '../../src/diagnosis/verdict.js';

interface Labelled {
  name: string;
  message: string | string[];
  /** The one right top cause. */
  expect?: CauseId;
  /** Ambiguous text: every acceptable top cause. */
  accept?: CauseId[];
  /** What the text points at (the plain-language corpus): network, execution-role, secrets, image, logs. */
  family?: string;
  /** Where the message was found (the plain-language corpus). */
  source?: string;
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8')) as {
    messages: Labelled[];
  };
const corpus = fixture('stop-messages.json');
/** ECS's plain-language reasons (Fargate since 2024, the EC2 agent's 2024 prefixes), each with its source. */
const plain = fixture('stop-messages-plain.json');

/** The bars the corpus must clear (stated in the report to the lead). */
const TOP1_BAR = 0.9;
const FAMILY_BAR = 0.95;
/**
 * What the corpus scored before the plain-language messages were read (main at 3fc8d7d: top-1 91/91, family
 * 43/43): reading them must not cost any of it.
 */
const OLD_TOP1 = 1;
const OLD_FAMILY = 1;

/** The top cause is right: the one expected, within those accepted. */
const right = (m: Labelled, got: CauseId) =>
  (!m.expect || got === m.expect) && (!m.accept || m.accept.includes(got));

describe('classify: corpus of real-shaped stop messages', () => {
  const unambiguous = corpus.messages.filter((m) => !m.accept);
  const ambiguous = corpus.messages.filter((m) => m.accept);

  it('has at least 80 labelled messages, with valid labels', () => {
    expect(corpus.messages.length).toBeGreaterThanOrEqual(80);
    for (const m of corpus.messages) {
      for (const id of [m.expect, ...(m.accept ?? [])].filter(Boolean)) {
        expect(CAUSE_IDS, m.name).toContain(id);
      }
      expect(m.expect || m.accept, m.name).toBeTruthy();
    }
  });

  it(`top-1 on unambiguous messages ≥ ${TOP1_BAR * 100}%, right family on ambiguous ones ≥ ${FAMILY_BAR * 100}%`, () => {
    const misses: string[] = [];
    let top1 = 0;
    for (const m of unambiguous) {
      const got = classify(m.message).causes[0]!.id;
      if (got === m.expect) top1++;
      else misses.push(`[top-1] ${m.name}: expected ${m.expect}, got ${got}`);
    }
    let family = 0;
    let preferred = 0;
    let preferredTotal = 0;
    for (const m of ambiguous) {
      const got = classify(m.message).causes[0]!.id;
      if (m.accept!.includes(got)) family++;
      else misses.push(`[family] ${m.name}: expected one of ${m.accept!.join('|')}, got ${got}`);
      if (m.expect) {
        preferredTotal++;
        if (got === m.expect) preferred++;
      }
    }
    const top1Rate = top1 / unambiguous.length;
    const familyRate = family / ambiguous.length;
    // The figures the lead asked for, visible in the test output.
    console.info(
      `classify corpus: top-1 ${top1}/${unambiguous.length} (${(top1Rate * 100).toFixed(1)}%), ` +
        `family ${family}/${ambiguous.length} (${(familyRate * 100).toFixed(1)}%), ` +
        `preferred top on ambiguous ${preferred}/${preferredTotal}` +
        (misses.length ? `\n  ${misses.join('\n  ')}` : ''),
    );
    expect(top1Rate, misses.join('\n')).toBeGreaterThanOrEqual(TOP1_BAR);
    expect(familyRate, misses.join('\n')).toBeGreaterThanOrEqual(FAMILY_BAR);
    expect(top1Rate, misses.join('\n')).toBeGreaterThanOrEqual(OLD_TOP1);
    expect(familyRate, misses.join('\n')).toBeGreaterThanOrEqual(OLD_FAMILY);
  });

  it.each([...corpus.messages, ...plain.messages].map((m) => [m.name, m] as const))(
    '%s: well-formed candidates',
    (_n, m) => {
      const { causes } = classify(m.message);
      expect(causes.length).toBeGreaterThan(0);
      const sum = causes.reduce((a, c) => a + c.confidence, 0);
      expect(sum).toBeLessThanOrEqual(1 + 1e-9);
      for (let i = 1; i < causes.length; i++) {
        expect(causes[i - 1]!.confidence).toBeGreaterThanOrEqual(causes[i]!.confidence);
      }
      for (const c of causes) {
        expect(c.confidence).toBeGreaterThan(0);
        expect(c.confidence).toBeLessThanOrEqual(1);
      }
      expect(new Set(causes.map((c) => c.id)).size).toBe(causes.length);
      // Ambiguous text must say so: more than one candidate.
      if (m.accept && m.accept.length > 1) expect(causes.length).toBeGreaterThan(1);
      if (causes[0]!.id !== 'unknown') expect(causes[0]!.fragments.length).toBeGreaterThan(0);
    },
  );
});

describe('classify: what decides among the network family', () => {
  it('spreads a timeout over the network family, no route first', () => {
    const { causes } = classify(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1: failed to do request: Head "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/api/manifests/1": dial tcp 52.94.1.1:443: i/o timeout',
    );
    expect(causes.map((c) => c.id).sort()).toEqual([...NETWORK_FAMILY].sort());
    expect(causes[0]!.id).toBe('network-no-route');
    expect(causes[0]!.fragments).toContain('i/o timeout');
  });

  it('leaves VPC endpoints out for Docker Hub, which no endpoint can serve', () => {
    const { causes } = classify(
      'CannotPullContainerError: Error response from daemon: Get https://registry-1.docker.io/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    );
    expect(causes.map((c) => c.id)).not.toContain('vpc-endpoint');
    expect(causes[0]!.fragments).toContain('registry-1.docker.io');
  });

  it('puts DNS first for "no such host"', () => {
    const { causes } = classify(
      'dial tcp: lookup api.ecr.us-east-1.amazonaws.com on 10.0.0.2:53: no such host',
    );
    expect(causes[0]!.id).toBe('dns');
    expect(causes.length).toBeGreaterThan(1);
  });

  it('reads the S3 layer bucket as the endpoint path', () => {
    const { causes } = classify(
      'CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: unexpected status code https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/x: 403 Forbidden',
    );
    expect(causes[0]!.id).toBe('vpc-endpoint');
    expect(causes.map((c) => c.id)).toContain('repository-policy');
    expect(causes[0]!.fragments).toContain('prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com');
  });

  it('names the image it found in the message', () => {
    const r = classify(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9: not found',
    );
    expect(r.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9');
  });

  it('weighs several containers that failed differently', () => {
    const { causes } = classify([
      'CannotPullContainerError: image Manifest does not contain descriptor matching platform linux/arm64',
      'CannotPullContainerError: failed to extract layer sha256:abc: no space left on device',
    ]);
    expect(
      causes
        .map((c) => c.id)
        .slice(0, 2)
        .sort(),
    ).toEqual(['disk-space', 'platform-mismatch']);
  });
});

describe('classify: each cause gets the words that point at it', () => {
  const ECR_AUTH_TIMEOUT =
    'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 10.0.1.5:443: i/o timeout';

  it('a timeout is evidence for the network, not for the execution role', () => {
    const { causes } = classify(ECR_AUTH_TIMEOUT);
    const role = causes.find((c) => c.id === 'execution-role')!;
    expect(role.fragments).toEqual(['retrieve ecr']);
    for (const c of causes.filter((x) => NETWORK_FAMILY.includes(x.id))) {
      expect(c.fragments).toEqual(['i/o timeout', 'retrieve ecr', 'api.ecr.us-east-1.amazonaws.com']);
    }
  });

  it('a KMS error is evidence for the key, what ECS was reading for both', () => {
    const { causes } = classify(
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: Access to KMS is not allowed',
    );
    expect(causes.find((c) => c.id === 'kms')!.fragments).toEqual([
      'KMS',
      'unable to retrieve secret from asm',
    ]);
    expect(causes.find((c) => c.id === 'secrets')!.fragments).toEqual(['unable to retrieve secret from asm']);
  });

  it('ECS’s hint points at its own causes when the detail after it disagrees', () => {
    const { causes } = classify(
      "CannotPullContainerError: The task can't pull the image. Check whether the image exists. no space left on device",
    );
    const disk = causes.find((c) => c.id === 'disk-space')!;
    const image = causes.find((c) => c.id === 'image-not-found')!;
    expect(disk.fragments).toEqual(['no space left on device']);
    expect(image.fragments).toEqual(["The task can't pull the image. Check whether the image exists"]);
  });

  it('says what each piece is: words, a host and its kind, the image, the step, ECS’s hint', () => {
    const timeout = classify(
      'CannotPullContainerError: The task can\'t pull the image. Check your network configuration. failed to resolve ref 123456789012.dkr.ecr.us-west-2.amazonaws.com/search:5.2.0: failed to do request: Head "https://123456789012.dkr.ecr.us-west-2.amazonaws.com/v2/search/manifests/5.2.0": dial tcp 52.94.210.4:443: i/o timeout',
    );
    expect(timeout.causes[0]!.clues).toEqual([
      { text: "The task can't pull the image. Check your network configuration", kind: 'hint' },
      { text: 'i/o timeout', kind: 'said' },
      { text: '123456789012.dkr.ecr.us-west-2.amazonaws.com', kind: 'host', what: 'ecr' },
    ]);
    expect(timeout.dialled).toBe('public');
    const layers = classify(
      'CannotPullContainerError: failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com/x": dial tcp 52.218.100.9:443: i/o timeout',
    );
    expect(layers.causes[0]!.clues).toContainEqual({
      text: 'prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com',
      kind: 'host',
      what: 's3-layer',
    });
    const missing = classify(
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9: 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9: not found',
    );
    expect(missing.causes[0]!.clues).toEqual([
      { text: 'not found', kind: 'said' },
      { text: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9', kind: 'image' },
    ]);
    const creds = classify(
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to get registry auth from asm: service call has been retried 1 time(s): ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    );
    expect(creds.step).toBe('registry-credentials');
    expect(creds.causes[0]!.clues).toContainEqual({
      text: 'get registry auth',
      kind: 'step',
      what: 'registry-credentials',
    });
  });

  it('over the corpus: every clue of a cause is among its fragments, and the top cause has one', () => {
    for (const m of [...corpus.messages, ...plain.messages]) {
      const { causes } = classify(m.message);
      for (const c of causes)
        expect(
          (c.clues ?? []).map((x) => x.text),
          m.name,
        ).toEqual(c.fragments);
      if (causes[0]!.id !== 'unknown') expect(causes[0]!.fragments.length, m.name).toBeGreaterThan(0);
    }
  });
});

describe('classify: never throws, garbage is unknown', () => {
  const garbage = [
    '',
    '   ',
    'lorem ipsum dolor sit amet',
    '\u0000\u0001\u0002',
    '🤷‍♂️🤷‍♂️🤷‍♂️',
    '{"not":"a reason"}',
    'x'.repeat(100_000),
    '((((((((((((((((((((((((((((((',
    'https://',
    'dial tcp',
  ];
  it.each(garbage.slice(0, -1).map((g) => [g.slice(0, 30), g] as const))('%j → unknown', (_n, g) => {
    const r = classify(g);
    expect(r.causes).toEqual([{ id: 'unknown', confidence: 1, fragments: [] }]);
    expect(r.informative).toBe(false);
  });

  it('takes undefined, null, arrays with holes', () => {
    expect(classify(undefined).causes[0]!.id).toBe('unknown');
    expect(classify(null).causes[0]!.id).toBe('unknown');
    expect(classify([undefined, '', 'Essential container in task exited']).causes[0]!.id).toBe(
      'not-a-pull-failure',
    );
    expect(classify([undefined, '', 'the flux capacitor broke']).causes[0]!.id).toBe('unknown');
  });

  it('survives random bytes (seeded)', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 :/."\'’<>()[]{}\\-_@\n\t';
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(rand() * 400);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const r = classify(s);
      expect(r.causes.length).toBeGreaterThan(0);
      expect(r.causes.reduce((a, c) => a + c.confidence, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('stays fast on pathological input', () => {
    const evil = `${'a:'.repeat(20_000)}not found${' '.repeat(20_000)}lookup `.repeat(2);
    const t0 = performance.now();
    classify(evil);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('classify: what the task needs to start besides its images (issue 16)', () => {
  it('reads a logger-args timeout on the logs host as the network path, with the log configuration behind it', () => {
    const { causes } = classify(
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post "https://logs.eu-west-1.amazonaws.com/": dial tcp 3.248.0.12:443: i/o timeout : exit status 1',
    );
    expect(NETWORK_FAMILY).toContain(causes[0]!.id);
    expect(causes.map((c) => c.id)).toContain('vpc-endpoint');
    expect(causes.map((c) => c.id)).toContain('log-configuration');
    expect(causes[0]!.fragments).toContain('logs.eu-west-1.amazonaws.com');
  });

  it('reads the 2023+ plain words as a connection issue to CloudWatch Logs', () => {
    const { causes } = classify(
      'ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed',
    );
    expect(NETWORK_FAMILY).toContain(causes[0]!.id);
    expect(causes[0]!.fragments).toContain('connection issue between the task and Amazon CloudWatch');
  });

  it('reads a missing log group and a denied stream as the log configuration, quoting what said so', () => {
    const missing = classify(
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
    );
    expect(missing.causes[0]).toMatchObject({ id: 'log-configuration' });
    expect(missing.causes[0]!.fragments[0]).toBe('The specified log group does not exist');
    const denied = classify(
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/x is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/orders:log-stream:ecs/orders/x',
    );
    expect(denied.causes[0]!.id).toBe('log-configuration');
    expect(denied.causes[0]!.fragments[0]).toBe('not authorized to perform: logs:CreateLogStream');
  });

  it('reads every EFS utils failure as efs-mount, a name that does not resolve with dns behind it', () => {
    for (const detail of [
      "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'",
      'mount.nfs4: Connection timed out',
      "b'mount.nfs4: Connection reset by peer'",
    ]) {
      const { causes } = classify(
        `ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: ${detail} : unsuccessful EFS utils command execution; code: 32`,
      );
      expect(causes[0]!.id, detail).toBe('efs-mount');
    }
    const resolve = classify(
      'ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: Failed to resolve "fs-0123456789abcdef0.efs.eu-west-1.amazonaws.com" - check that your file system ID is correct',
    );
    expect(resolve.causes.map((c) => c.id)).toEqual(['efs-mount', 'dns']);
  });
});

describe('classify: ECS’s plain-language reasons (issue 16)', () => {
  const FAMILIES: Record<string, readonly CauseId[]> = {
    network: NETWORK_FAMILY,
    'execution-role': ['execution-role'],
    secrets: ['secrets'],
    image: ['image-not-found', 'image-reference', 'registry-auth'],
    'logs (ambiguous)': ['log-configuration', ...NETWORK_FAMILY],
  };

  it('every fixture says where it came from, what it points at, and is unlike the old corpus', () => {
    expect(plain.messages.length).toBeGreaterThanOrEqual(40);
    const old = new Set(corpus.messages.map((m) => JSON.stringify(m.message)));
    const names = new Set<string>();
    for (const m of plain.messages) {
      expect(m.source?.length ?? 0, m.name).toBeGreaterThan(10);
      expect(Object.keys(FAMILIES), m.name).toContain(m.family);
      expect(m.expect || m.accept, m.name).toBeTruthy();
      for (const id of [m.expect, ...(m.accept ?? [])].filter(Boolean))
        expect(CAUSE_IDS, m.name).toContain(id);
      expect(old.has(JSON.stringify(m.message)), m.name).toBe(false);
      expect(names.has(m.name), m.name).toBe(false);
      names.add(m.name);
    }
    // The typographic apostrophe next to the plain one, cut-short texts, the S3 layer bucket.
    const texts = plain.messages.map((m) => String(m.message));
    expect(texts.some((t) => t.includes('\u2019'))).toBe(true);
    expect(texts.some((t) => t.includes("can't"))).toBe(true);
    expect(
      plain.messages.filter((m) => m.source?.startsWith('constructed: the message above cut')).length,
    ).toBeGreaterThanOrEqual(8);
    expect(texts.filter((t) => t.includes('starport-layer-bu')).length).toBeGreaterThanOrEqual(3);
  });

  it('every one is classified to its family, and to the expected cause where the text names one', () => {
    const misses: string[] = [];
    const byFamily = new Map<string, { right: number; total: number }>();
    for (const m of plain.messages) {
      const got = classify(m.message).causes[0]!.id;
      const f = byFamily.get(m.family!) ?? { right: 0, total: 0 };
      f.total++;
      if (FAMILIES[m.family!]!.includes(got) && right(m, got)) f.right++;
      else misses.push(`${m.name}: expected ${m.expect ?? m.accept!.join('|')} (${m.family}), got ${got}`);
      byFamily.set(m.family!, f);
    }
    const all = plain.messages.length - misses.length;
    console.info(
      `plain-language corpus: ${all}/${plain.messages.length} to their family (${[...byFamily]
        .map(([f, x]) => `${f} ${x.right}/${x.total}`)
        .join(', ')})${misses.length ? `\n  ${misses.join('\n  ')}` : ''}`,
    );
    expect(misses).toEqual([]);
  });

  const byName = (name: string) => {
    const m = plain.messages.find((x) => x.name === name);
    if (!m) throw new Error(`no fixture ${name}`);
    return classify(m.message);
  };

  it('a connection issue to Secrets Manager or SSM is the network path, not the permission to read', () => {
    for (const name of [
      "plain words: Secrets Manager, the issue's wording",
      "plain words: Parameter Store, the issue's wording",
      'plain words: Secrets Manager, context deadline (service event)',
      'plain words: Parameter Store, no detail',
    ]) {
      const { causes, step } = byName(name);
      expect(NETWORK_FAMILY, name).toContain(causes[0]!.id);
      expect(step, name).toBe('secrets');
      const network = causes
        .filter((c) => NETWORK_FAMILY.includes(c.id))
        .reduce((a, c) => a + c.confidence, 0);
      expect(network, name).toBeGreaterThanOrEqual(0.7);
      expect(causes.find((c) => c.id === 'secrets')?.confidence ?? 0, name).toBeLessThanOrEqual(0.1);
      // The service is quoted for the network causes; what ECS was reading is not evidence of a network cause.
      expect(causes[0]!.fragments.join(' '), name).toMatch(
        /connection issue between the task and AWS (?:Secrets Manager|Systems Manager)/,
      );
      expect(causes.find((c) => c.id === 'secrets')?.fragments ?? [], name).not.toContainEqual(
        expect.stringMatching(/connection issue/),
      );
    }
  });

  it('a permission-worded secrets message still ranks the secrets and the execution role', () => {
    const denied = byName('Secrets Manager GetSecretValue denied, SDK v2 wording');
    expect(denied.causes.map((c) => c.id).slice(0, 2)).toEqual(['secrets', 'execution-role']);
    const missing = byName('docs heading: the secret does not exist');
    expect(missing.causes[0]).toMatchObject({ id: 'secrets' });
    expect(missing.causes[0]!.confidence).toBeGreaterThanOrEqual(0.85);
  });

  it('the ECR token: a connection issue is the network (an endpoint address first), a missing permission the role, high', () => {
    const measured = byName('plain words: registry auth from ECR, ending at the status code');
    expect(NETWORK_FAMILY).toContain(measured.causes[0]!.id);
    expect(measured.step).toBe('ecr-token');
    const endpoint = byName(
      'plain words: registry auth from ECR, interface endpoint address (service event)',
    );
    expect(endpoint.causes[0]!.id).toBe('vpc-endpoint');
    expect(endpoint.dialled).toBe('private');
    const role = byName('plain words: registry auth from ECR, the execution role lacks the token permission');
    expect(role.causes[0]!.id).toBe('execution-role');
    expect(levelOf(role.causes[0]!.confidence)).toBe('high');
    expect(role.causes[0]!.fragments[0]).toBe(
      "doesn't have the permissions to call ecr:GetAuthorizationToken",
    );
    // GetAuthorizationToken is not a repository's to allow.
    expect(role.causes.map((c) => c.id)).not.toContain('repository-policy');
  });

  it('the image the plain words name, and a layer download from ECR read as the S3 layer bucket', () => {
    const ecr = byName("plain words: ECR repository, a task's values");
    expect(ecr.image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2');
    const registry = byName('plain words: the registry, layer download by digest');
    expect(registry.image).toMatch(
      /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/testing\/seller:2\.0@sha256:/,
    );
    expect(registry.causes[0]!.id).toBe('vpc-endpoint');
    // Cut inside the bucket's name, it is still the bucket.
    const cut = byName('plain words: the S3 layer bucket URL cut mid-word');
    expect(cut.causes[0]!.id).toBe('vpc-endpoint');
    // The docs' placeholder 'image-name' names no registry, but ECS's words say Amazon ECR: endpoints stay in.
    const template = byName("plain words: ECR repository, the docs' template");
    expect(template.causes.map((c) => c.id)).toContain('vpc-endpoint');
  });
});
