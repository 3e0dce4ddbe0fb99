/**
 * The verdict: the stop message's candidates weighed against check results. Checks here are hand-built results
 * with the real check ids and message keys, so the verdict is tested on its own, whatever the checks become.
 */
import { describe, expect, it } from 'vitest';
import { allCauseKeys, CAUSE_IDS } from '../../src/diagnosis/causes.js';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import { decide } from '../../src/diagnosis/verdict.js';
import { i18n, translator } from '../../src/i18n.js';
import { say } from '../../src/render/text.js';
import { ECR_IMAGE, result, taskContext } from '../helpers/verdict-context.js';

const TIMEOUT = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${ECR_IMAGE}: failed to do request: Head "https://210987654321.dkr.ecr.eu-south-1.amazonaws.com/v2/checkout/manifests/2.14.0": dial tcp 3.5.246.12:443: i/o timeout`;
const NOT_FOUND = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${ECR_IMAGE}: ${ECR_IMAGE}: not found`;

const routeFail = result(
  'network.route',
  'fail',
  'none',
  { subnetId: 'subnet-0a1b2c3d', routeTableId: 'rtb-0123abcd' },
  {
    evidence: [
      {
        key: 'network:evidence.route-table.explicit',
        params: { subnetId: 'subnet-0a1b2c3d', routeTableId: 'rtb-0123abcd' },
      },
      { key: 'network:evidence.no-default-route', params: { routeTableId: 'rtb-0123abcd' } },
    ],
    remediation: { key: 'network:route.fix.add-route', params: { routeTableId: 'rtb-0123abcd' } },
  },
);
const networkPasses = [
  result('network.public-ip', 'skip', 'not-igw', { subnetId: 'subnet-0a1b2c3d' }),
  result('network.security-group-egress', 'pass', 'internet', { groupId: 'sg-0aa', to: '0.0.0.0/0' }),
  result('network.nacl', 'pass', ''),
  result('endpoints.required', 'skip', 'internet'),
  result('dns.dhcp-options', 'pass', ''),
];
const imagePasses = [
  result('image.reference', 'pass', 'ok', { image: ECR_IMAGE }),
  result('image.exists', 'pass', 'ok', { image: ECR_IMAGE, digest: 'sha256:abc' }),
  result('iam.execution-role', 'pass', 'ok', { role: 'arn:aws:iam::210987654321:role/checkout-exec' }),
];

const en = translator('en');
const it_ = translator('it');

describe('verdict: the message and the checks agree', () => {
  it('a timeout and a failing route → no route, high confidence, basis both, naming the subnet and route table', () => {
    const { causes, verdict } = decide(taskContext({ reason: TIMEOUT }), [
      routeFail,
      ...networkPasses,
      ...imagePasses,
    ]);
    const top = causes[0]!;
    expect(top.id).toBe('network-no-route');
    expect(top.basis).toBe('both');
    expect(top.level).toBe('high');
    expect(top.confidence).toBeGreaterThanOrEqual(0.85);
    expect(top.checks).toEqual(['network.route']);
    expect(top.fragments).toContain('i/o timeout');
    expect(top.evidence?.map((e) => e.key)).toContain('network:evidence.no-default-route');
    expect(top.summary).toEqual({
      key: 'causes:network-no-route.summary.route',
      params: { subnetId: 'subnet-0a1b2c3d', routeTableId: 'rtb-0123abcd' },
    });
    expect(say(en, top.summary)).toContain('subnet-0a1b2c3d');
    expect(say(en, top.remediation)).toContain('rtb-0123abcd');
    expect(verdict.basis).toBe('both');
    expect(verdict.notes.map((n) => n.key)).toEqual(['causes:verdict.agree']);
    // The rest of the network family steps back once one member is confirmed.
    const sum = causes.reduce((a, c) => a + c.confidence, 0);
    expect(sum).toBeLessThanOrEqual(1);
    for (const c of causes.slice(1)) expect(c.confidence).toBeLessThan(0.1);
  });

  it('the failing check of another family member wins over the message’s own favourite', () => {
    const publicIpFail = result(
      'network.public-ip',
      'fail',
      'disabled',
      { subnetId: 'subnet-0a1b2c3d', igw: 'igw-0abc' },
      { remediation: { key: 'network:public-ip.fix.enable-service', params: { service: 'checkout' } } },
    );
    const { causes } = decide(taskContext({ reason: TIMEOUT, service: 'checkout' }), [
      result('network.route', 'pass', 'internet', {
        subnetId: 'subnet-0a1b2c3d',
        routeTableId: 'rtb-1',
        target: 'igw-0abc',
      }),
      publicIpFail,
    ]);
    expect(causes[0]!.id).toBe('network-no-public-ip');
    expect(causes[0]!.basis).toBe('both');
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(say(en, causes[0]!.remediation)).toContain('checkout');
    expect(say(en, causes[0]!.summary)).toContain('subnet-0a1b2c3d');
  });

  it('a result that names a more specific cause (a secret’s KMS key) counts for that cause', () => {
    const kms = result(
      'secrets.retrieval',
      'fail',
      'kms-state',
      {
        secret: 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:db-AbC',
        key: 'arn:aws:kms:eu-south-1:210987654321:key/1234',
        state: 'Disabled',
      },
      { cause: 'kms' },
    );
    expect(result('secrets.retrieval', 'fail', 'missing', { secret: 'x' }).cause).toBe('secrets');
    const { causes } = decide(
      taskContext({
        reason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): KMSDisabledException',
      }),
      [kms],
    );
    expect(causes[0]!.id).toBe('kms');
    expect(say(en, causes[0]!.summary)).toContain('arn:aws:kms:eu-south-1:210987654321:key/1234');
  });
});

describe('verdict: secrets over the network (issue 16 §4)', () => {
  const SECRET = 'arn:aws:secretsmanager:eu-south-1:210987654321:secret:checkout/db-AbCdEf';
  const SM = 'com.amazonaws.eu-south-1.secretsmanager (Interface)';
  const CONNECTION =
    'ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: There is a connection issue between the task and AWS Secrets Manager. Check your task network configuration. failed to fetch secret arn:aws:secretsmanager:eu-south-1:210987654321:secret:checkout/db-AbCdEf from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded.';
  const required = result(
    'endpoints.required',
    'fail',
    'missing',
    { missing: SM, version: '1.4.0', startMissing: SM },
    {
      remediation: {
        key: 'endpoints:required.fix.create',
        params: { missing: SM, vpcId: 'vpc-0123456789abcdef0' },
      },
    },
  );
  const unreachable = result(
    'secrets.retrieval',
    'fail',
    'unreachable',
    { secret: SECRET, containers: 'checkout', service: 'secretsmanager' },
    {
      evidence: [
        {
          key: 'secrets:evidence.reach.none',
          params: { subnet: 'subnet-0a1b2c3d', service: 'secretsmanager' },
        },
      ],
      remediation: { key: 'secrets:retrieval.fix.endpoint', params: { service: 'secretsmanager' } },
      cause: 'vpc-endpoint',
    },
  );
  const rolePasses = result('iam.execution-role', 'pass', 'ok', {
    role: 'arn:aws:iam::210987654321:role/checkout-exec',
  });

  it('a connection issue to Secrets Manager and no secretsmanager endpoint → the endpoint, named, not the secret', () => {
    const { causes, verdict } = decide(taskContext({ reason: CONNECTION }), [
      required,
      unreachable,
      rolePasses,
      result('network.route', 'skip', 'endpoints', { subnetId: 'subnet-0a1b2c3d' }),
    ]);
    const top = causes[0]!;
    expect(top.id).toBe('vpc-endpoint');
    expect(top.basis).toBe('both');
    expect(top.level).toBe('high');
    expect(top.checks).toEqual(['endpoints.required', 'secrets.retrieval']);
    expect(top.summary!.key).toBe('causes:vpc-endpoint.summary.start');
    expect(say(en, top.summary)).toContain(SM);
    expect(say(it_, top.summary)).toContain(SM);
    expect(say(en, top.remediation)).toContain('vpc-0123456789abcdef0');
    expect(top.evidence?.map((e) => e.key)).toContain('secrets:evidence.reach.none');
    expect(top.fragments).toContain('connection issue between the task and AWS Secrets Manager');
    expect(verdict.notes.map((n) => n.key)).toEqual(['causes:verdict.agree']);
    // Neither the secret nor the role is blamed: no check found them wrong, the message does not point at them.
    for (const c of causes.filter((x) => x.id === 'secrets' || x.id === 'execution-role')) {
      expect(c.basis, c.id).toBe('message');
      expect(c.confidence, c.id).toBeLessThan(0.1);
    }
  });

  it('the same with only secrets.retrieval to say so: its result speaks to the endpoint', () => {
    const { causes } = decide(taskContext({ reason: CONNECTION }), [unreachable, rolePasses]);
    expect(causes[0]!.id).toBe('vpc-endpoint');
    expect(causes[0]!.checks).toEqual(['secrets.retrieval']);
    expect(causes[0]!.level).toBe('high');
  });

  it('an endpoint that does not resolve privately → DNS, naming the endpoint', () => {
    const dns = result(
      'secrets.retrieval',
      'fail',
      'endpoint-dns',
      { secret: SECRET, containers: 'checkout', service: 'secretsmanager', endpoint: 'vpce-0sm' },
      {
        remediation: { key: 'secrets:retrieval.fix.private-dns', params: { endpoint: 'vpce-0sm' } },
        cause: 'dns',
      },
    );
    const { causes } = decide(taskContext({ reason: CONNECTION }), [dns, rolePasses]);
    expect(causes[0]!.id).toBe('dns');
    expect(causes[0]!.basis).toBe('both');
  });

  it('a permission-worded secrets message with the role denied → the secret’s permission, then the role', () => {
    const denied =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:eu-south-1:210987654321:secret:checkout/db-AbCdEf from secrets manager: operation error Secrets Manager: GetSecretValue, https response error StatusCode: 400, RequestID: 2bf6cb29-04f9-43d0-b8a4-f1247cbe8c0b, api error AccessDeniedException: User: arn:aws:sts::210987654321:assumed-role/checkout-exec/abc is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-south-1:210987654321:secret:checkout/db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action.';
    const deniedResult = result('secrets.retrieval', 'fail', 'denied', {
      secret: SECRET,
      containers: 'checkout',
      action: 'secretsmanager:GetSecretValue',
      role: 'arn:aws:iam::210987654321:role/checkout-exec',
    });
    const { causes } = decide(taskContext({ reason: denied }), [deniedResult, rolePasses]);
    expect(causes[0]!.id).toBe('secrets');
    expect(causes[0]!.basis).toBe('both');
    expect(causes[0]!.level).toBe('high');
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.8);
    // The message alone, before any check: the secret first, the role after.
    const alone = decide(taskContext({ reason: denied }), []);
    expect(alone.causes.map((c) => c.id).slice(0, 2)).toEqual(['secrets', 'execution-role']);
  });
});

describe('verdict: the message says one thing, the checks another', () => {
  it('"not found" while the image exists and the route fails → the route, lower confidence, and it says so', () => {
    const { causes, verdict } = decide(taskContext({ reason: NOT_FOUND }), [
      routeFail,
      ...networkPasses,
      ...imagePasses,
    ]);
    const top = causes[0]!;
    expect(top.id).toBe('network-no-route');
    expect(top.basis).toBe('checks');
    expect(top.confidence).toBeLessThan(0.7);
    expect(top.confidence).toBeGreaterThanOrEqual(0.4);
    const overturned = causes.find((c) => c.id === 'image-not-found');
    expect(overturned, 'the message’s candidate stays visible').toBeDefined();
    expect(overturned!.confidence).toBeLessThan(top.confidence);
    expect(overturned!.against).toContain('image.exists');
    const note = verdict.notes.find((n) => n.key === 'causes:image-not-found.contradicted');
    expect(note?.params).toEqual({ checks: ['image.exists'] });
    // Checks are named in words, not by id.
    expect(say(en, note)).toContain('yet the “Image exists” check found it');
    expect(say(it_, note)).toContain("ma il controllo “Esistenza dell'immagine” l'ha trovata nel registro");
  });

  it('"not found" with the image checks unable to run stays first, but a failing route is listed', () => {
    const { causes, verdict } = decide(taskContext({ reason: NOT_FOUND }), [
      routeFail,
      result('image.exists', 'unknown', ''),
    ]);
    expect(causes[0]!.id).toBe('image-not-found');
    expect(causes[0]!.basis).toBe('message');
    expect(causes.map((c) => c.id)).toContain('network-no-route');
    expect(verdict.basis).toBe('message');
    expect(verdict.notes[0]).toEqual({
      key: 'causes:verdict.alone.unverified',
      params: { checks: ['image.exists'] },
    });
    expect(verdict.unverified).toEqual(['image.exists']);
  });

  it('a message overturned with nothing else failing is still the answer, flagged as unconfirmed', () => {
    const { causes, verdict } = decide(taskContext({ reason: NOT_FOUND }), [
      ...networkPasses,
      ...imagePasses,
    ]);
    expect(causes[0]!.id).toBe('image-not-found');
    expect(causes[0]!.confidence).toBeLessThan(0.4);
    expect(causes[0]!.level).toBe('low');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.alone.refuted');
  });
});

describe('verdict: checks that rule a cause out', () => {
  it('a timeout where every network check passed or does not apply → low confidence, flagged as not confirmed', () => {
    const { causes, verdict } = decide(taskContext({ reason: TIMEOUT }), [
      result('network.route', 'pass', 'internet', {
        subnetId: 'subnet-0a1b2c3d',
        routeTableId: 'rtb-1',
        target: 'nat-1',
      }),
      result('network.nat-gateway', 'pass', ''),
      ...networkPasses,
      result('endpoints.policy', 'skip', 'internet'),
      result('endpoints.private-dns', 'skip', 'internet'),
    ]);
    expect(causes[0]!.level).toBe('low');
    expect(causes[0]!.confidence).toBeLessThan(0.15);
    expect(verdict.notes[0]!.key).toBe('causes:verdict.alone.refuted');
    // "Does not apply" (no internet gateway route) rules the public IP out as firmly as a pass.
    expect(causes.find((c) => c.id === 'network-no-public-ip')?.against ?? ['network.public-ip']).toContain(
      'network.public-ip',
    );
  });

  it('a skip that cannot tell (single-platform image) does not rule platform out', () => {
    const { causes, verdict } = decide(
      taskContext({
        reason:
          "CannotPullContainerError: image Manifest does not contain descriptor matching platform 'linux/arm64'",
      }),
      [result('image.platform', 'skip', 'single', { image: ECR_IMAGE, want: 'linux/arm64' })],
    );
    expect(causes[0]!.id).toBe('platform-mismatch');
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(causes[0]!.against).toEqual([]);
    expect(verdict.notes[0]!.key).toBe('causes:verdict.alone.unchecked');
    // The platform the message says was asked for, not the task definition's default.
    expect(say(en, causes[0]!.summary)).toBe(
      `${ECR_IMAGE} has no build for linux/arm64, the platform the task runs on.`,
    );
  });
});

describe('verdict: when the checks cannot help', () => {
  it('all checks unknown → the message alone, said so, with the unverified checks listed', () => {
    const unknowns = [
      'network.route',
      'network.public-ip',
      'network.security-group-egress',
      'endpoints.required',
    ].map((id) => result(id, 'unknown', ''));
    const { causes, verdict } = decide(taskContext({ reason: TIMEOUT }), unknowns);
    expect(causes[0]!.id).toBe('network-no-route');
    expect(causes[0]!.basis).toBe('message');
    expect(causes.length).toBeGreaterThan(2);
    expect(verdict.basis).toBe('message');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.alone.unverified');
    expect(verdict.unverified).toEqual(unknowns.map((u) => u.id));
    expect(causes.reduce((a, c) => a + c.confidence, 0)).toBeLessThanOrEqual(1);
  });

  it('no checks at all → the message alone', () => {
    const { causes, verdict } = decide(taskContext({ reason: NOT_FOUND }), []);
    expect(causes[0]!.id).toBe('image-not-found');
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(verdict.notes[0]!.key).toBe('causes:verdict.alone.none');
    expect(say(en, causes[0]!.summary)).toContain(ECR_IMAGE);
  });

  it('checks that do not exist in this version are tolerated and ignored', () => {
    const { causes } = decide(taskContext({ reason: NOT_FOUND }), [
      result('future.thing', 'fail', 'boom', { x: 1 }),
      result('network.something-new', 'fail', 'boom'),
    ]);
    expect(causes[0]!.id).toBe('image-not-found');
  });
});

describe('verdict: when there is no message', () => {
  it('no stop message and a failing check → the check alone, said so', () => {
    const { causes, verdict } = decide(taskContext({ reason: undefined }), [routeFail, ...networkPasses]);
    expect(causes[0]!.id).toBe('network-no-route');
    expect(causes[0]!.basis).toBe('checks');
    expect(causes[0]!.fragments).toEqual([]);
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.6);
    expect(verdict.notes[0]!.key).toBe('causes:verdict.no-message');
  });

  it('no message and nothing failing → unknown, plainly', () => {
    const { causes, verdict } = decide(taskContext({ reason: undefined }), [
      ...networkPasses,
      ...imagePasses,
    ]);
    expect(causes).toHaveLength(1);
    expect(causes[0]!.id).toBe('unknown');
    expect(verdict.basis).toBe('none');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.nothing-at-all');
    expect(causes[0]!.alsoCheck?.length).toBeGreaterThan(0);
  });

  it('a message that is not a pull failure and a failing check → the check, message unrecognised', () => {
    const { causes, verdict } = decide(taskContext({ reason: 'Essential container in task exited' }), [
      routeFail,
    ]);
    expect(causes[0]!.id).toBe('network-no-route');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.message-unrecognised');
  });
});

describe('verdict: two checks fail', () => {
  const roleFail = result(
    'iam.execution-role',
    'fail',
    'denied',
    { role: 'arn:aws:iam::210987654321:role/checkout-exec', actions: 'ecr:GetAuthorizationToken' },
    {
      evidence: [
        {
          key: 'iam:evidence.decision.implicit-deny',
          params: { action: 'ecr:GetAuthorizationToken', resource: '*' },
        },
      ],
    },
  );

  it('without a message, the one the pull meets first leads and both are listed', () => {
    const { causes } = decide(taskContext({ reason: undefined }), [roleFail, routeFail]);
    expect(causes.map((c) => c.id).slice(0, 2)).toEqual(['network-no-route', 'execution-role']);
    expect(causes[0]!.confidence + causes[1]!.confidence).toBeLessThanOrEqual(1);
    expect(causes[1]!.checks).toEqual(['iam.execution-role']);
  });

  it('with a message, the one the message names leads', () => {
    const denied =
      'CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::210987654321:assumed-role/checkout-exec/abc is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action';
    const { causes, verdict } = decide(taskContext({ reason: denied }), [roleFail, routeFail]);
    expect(causes[0]!.id).toBe('execution-role');
    expect(causes[0]!.basis).toBe('both');
    expect(causes[0]!.confidence).toBeGreaterThanOrEqual(0.8);
    expect(causes[1]!.id).toBe('network-no-route');
    expect(say(en, causes[0]!.summary)).toContain('arn:aws:iam::210987654321:role/checkout-exec');
    expect(verdict.notes[0]!.key).toBe('causes:verdict.agree');
  });

  it('no execution role at all → the "none" wording', () => {
    const ctx = taskContext({ reason: undefined, td: { executionRoleArn: undefined } });
    const { causes } = decide(ctx, [result('iam.execution-role', 'fail', 'none', { needs: 'ECR' })]);
    expect(causes[0]!.summary!.key).toBe('causes:execution-role.summary.none');
    expect(causes[0]!.remediation!.key).toBe('causes:execution-role.fix.none');
  });
});

describe('verdict: words', () => {
  const catalogue = allCauseKeys();

  it('every sentence the catalogue can produce exists in both languages', () => {
    for (const lang of ['en', 'it'] as const) {
      for (const key of catalogue) {
        expect(i18n().exists(key, { lng: lang }), `${lang} ${key}`).toBe(true);
      }
    }
    for (const id of CAUSE_IDS.filter((c) => c !== 'unknown' && c !== 'not-a-pull-failure')) {
      for (const lng of ['en', 'it']) {
        // Said of one check or of several: a plural of its own in each language.
        expect(i18n().exists(`causes:${id}.contradicted_one`, { lng }), `${lng} ${id}`).toBe(true);
        expect(i18n().exists(`causes:${id}.contradicted_other`, { lng }), `${lng} ${id}`).toBe(true);
      }
    }
  });

  it('every verdict over a spread of cases renders with no placeholder left, in both languages', () => {
    const cases: Array<[string | undefined, CheckResult[]]> = [
      [TIMEOUT, [routeFail]],
      [NOT_FOUND, [routeFail, ...imagePasses]],
      [undefined, []],
      [
        'CannotPullContainerError: image Manifest does not contain descriptor matching platform linux/arm64',
        [],
      ],
      ['CannotPullContainerError: failed to extract layer sha256:abc: no space left on device', []],
      [TIMEOUT, networkPasses.map((r) => ({ ...r, status: 'unknown' as const }))],
    ];
    for (const [reason, checks] of cases) {
      const { causes, verdict } = decide(taskContext({ reason }), checks);
      for (const t of [en, it_]) {
        for (const m of [
          ...causes.flatMap((c) => [c.summary, c.remediation, ...(c.alsoCheck ?? [])]),
          ...verdict.notes,
        ]) {
          const s = say(t, m);
          expect(s.trim(), JSON.stringify(m)).not.toBe('');
          expect(s, JSON.stringify(m)).not.toMatch(/\{\{|causes:|\.summary\.|\.fix\./);
        }
      }
    }
  });
});
