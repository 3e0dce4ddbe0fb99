/**
 * What changed, the pure part: each event name said in words in both languages from records in CloudTrail's own
 * shape (test/helpers/cloudtrail-records.ts), who made it (IAM Identity Center user, role session, IAM user, root,
 * a service, ECR's lifecycle), when relative to the failure; which resources are looked up and in which order
 * within the budget; the timeline and its notes; a recent change to a failing resource raising the answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { ConsoleLinks } from '../../src/aws/console-links.js';
import {
  applyChanges,
  buildChanges,
  CHANGE_DEFAULTS,
  type ChangeReport,
  describeEvent,
  planChanges,
  whoOf,
} from '../../src/diagnosis/changes.js';
import type { CheckResult } from '../../src/diagnosis/checks/types.js';
import { evaluate, parseSavedFacts } from '../../src/diagnosis/evaluate.js';
import {
  type ChangesRecord,
  isChange,
  parseRecord,
  type TrailEvent,
} from '../../src/diagnosis/facts/cloudtrail.js';
import type { Cause } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { changeAnswer, changeLine, changeNotes, whenText } from '../../src/render/changes.js';
import { say } from '../../src/render/text.js';
import { agents, events, identity, type Json, lookupEvent } from '../helpers/cloudtrail-records.js';
import { taskContext } from '../helpers/verdict-context.js';

const ACCOUNT = '210987654321';
const R = 'eu-south-1';
const T = new Date('2026-11-29T04:05:41Z');
const at = (who: Json = identity.user(ACCOUNT), agent?: string) => ({
  account: ACCOUNT,
  region: R,
  time: T,
  who,
  agent,
});
const en = translator('en');
const it_ = translator('it');

/** A record as cloudtrail.changes keeps it, read back from LookupEvents' answer. */
function trailEvent(rec: Json): TrailEvent {
  const e = lookupEvent(rec, []);
  const record = parseRecord(String(e.CloudTrailEvent))!;
  return {
    eventId: String(e.EventId),
    eventName: String(e.EventName),
    eventSource: String(e.EventSource),
    eventTime: new Date(Number(e.EventTime) * 1000).toISOString(),
    ...(e.Username ? { username: String(e.Username) } : {}),
    record,
  };
}

function both(m: ReturnType<typeof describeEvent>): { en: string; it: string } {
  const out = { en: say(en, m), it: say(it_, m) };
  for (const s of Object.values(out)) {
    expect(s).not.toMatch(/\{\{|\}\}|undefined|\[object|changes:/);
    expect(s).not.toContain('?');
  }
  return out;
}

const what = (rec: Json) => both(describeEvent(trailEvent(rec)));

describe('each event in words, in English and Italian', () => {
  const KEY = `arn:aws:kms:${R}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const SECRET = `arn:aws:secretsmanager:${R}:${ACCOUNT}:secret:checkout/db-AbCdEf`;
  const cases: Array<[string, Json, string, string]> = [
    [
      'DeleteRoute',
      events.deleteRoute(at(), 'rtb-0a1b2c3d', '0.0.0.0/0'),
      'deleted the route 0.0.0.0/0 from rtb-0a1b2c3d',
      'ha eliminato la route 0.0.0.0/0 da rtb-0a1b2c3d',
    ],
    [
      'CreateRoute',
      events.createRoute(at(), 'rtb-0a1b2c3d', '0.0.0.0/0', { natGatewayId: 'nat-0f1e2d3c' }),
      'added the route 0.0.0.0/0 → nat-0f1e2d3c to rtb-0a1b2c3d',
      'ha aggiunto la route 0.0.0.0/0 → nat-0f1e2d3c in rtb-0a1b2c3d',
    ],
    [
      'ReplaceRoute',
      events.replaceRoute(at(), 'rtb-0a1b2c3d', '0.0.0.0/0', { gatewayId: 'igw-0c0d0e0f' }),
      'pointed the route 0.0.0.0/0 of rtb-0a1b2c3d at igw-0c0d0e0f',
      'ha fatto puntare la route 0.0.0.0/0 di rtb-0a1b2c3d verso igw-0c0d0e0f',
    ],
    [
      'RevokeSecurityGroupEgress',
      events.revokeEgress(at(), 'sg-0c1d2e3f', [{ protocol: 'tcp', from: 443, cidr: '0.0.0.0/0' }]),
      'revoked egress TCP 443 → 0.0.0.0/0 from sg-0c1d2e3f',
      'ha revocato il traffico in uscita TCP 443 → 0.0.0.0/0 da sg-0c1d2e3f',
    ],
    [
      'RevokeSecurityGroupEgress (all traffic)',
      events.revokeEgress(at(), 'sg-0c1d2e3f', [{ protocol: '-1', cidr: '0.0.0.0/0' }]),
      'revoked all egress to 0.0.0.0/0 from sg-0c1d2e3f',
      'ha revocato tutto il traffico in uscita verso 0.0.0.0/0 da sg-0c1d2e3f',
    ],
    [
      'AuthorizeSecurityGroupEgress',
      events.authorizeEgress(at(), 'sg-0c1d2e3f', [
        { protocol: 'tcp', from: 1024, to: 65535, cidr: '10.0.0.0/16' },
      ]),
      'allowed egress TCP 1024-65535 → 10.0.0.0/16 in sg-0c1d2e3f',
      'ha consentito il traffico in uscita TCP 1024-65535 → 10.0.0.0/16 in sg-0c1d2e3f',
    ],
    [
      'DeleteNatGateway',
      events.deleteNatGateway(at(), 'nat-0f1e2d3c'),
      'deleted the NAT gateway nat-0f1e2d3c',
      'ha eliminato il gateway NAT nat-0f1e2d3c',
    ],
    [
      'DeleteVpcEndpoints',
      events.deleteVpcEndpoints(at(), ['vpce-0ecrdkr1']),
      'deleted the VPC endpoint vpce-0ecrdkr1',
      "ha eliminato l'endpoint VPC vpce-0ecrdkr1",
    ],
    [
      'DeleteVpcEndpoints (two)',
      events.deleteVpcEndpoints(at(), ['vpce-0ecrdkr1', 'vpce-0ecrapi1']),
      'deleted the VPC endpoints vpce-0ecrdkr1, vpce-0ecrapi1',
      'ha eliminato gli endpoint VPC vpce-0ecrdkr1, vpce-0ecrapi1',
    ],
    [
      'ModifyVpcEndpoint (private DNS)',
      events.modifyVpcEndpoint(at(), 'vpce-0ecrdkr1', { PrivateDnsEnabled: false }),
      'turned off private DNS on the VPC endpoint vpce-0ecrdkr1',
      "ha disabilitato il DNS privato dell'endpoint VPC vpce-0ecrdkr1",
    ],
    [
      'ModifyVpcEndpoint (policy)',
      events.modifyVpcEndpoint(at(), 'vpce-0s3gw1', { PolicyDocument: '{"Statement":[]}' }),
      'replaced the policy of the VPC endpoint vpce-0s3gw1',
      "ha sostituito la policy dell'endpoint VPC vpce-0s3gw1",
    ],
    [
      'ModifyVpcEndpoint (security group)',
      events.modifyVpcEndpoint(at(), 'vpce-0ecrdkr1', {
        RemoveSecurityGroupId: { tag: 1, content: 'sg-0e1f2a3b' },
      }),
      'took sg-0e1f2a3b off the security groups of the VPC endpoint vpce-0ecrdkr1',
      "ha tolto sg-0e1f2a3b dai gruppi di sicurezza dell'endpoint VPC vpce-0ecrdkr1",
    ],
    [
      'ModifyVpcAttribute',
      events.modifyVpcAttribute(at(), 'vpc-0123abcd', 'enableDnsSupport', false),
      'turned off DNS resolution (enableDnsSupport) in vpc-0123abcd',
      'ha disabilitato la risoluzione DNS (enableDnsSupport) in vpc-0123abcd',
    ],
    [
      'AssociateDhcpOptions',
      events.associateDhcpOptions(at(), 'vpc-0123abcd', 'dopt-0a9b8c7d'),
      'gave vpc-0123abcd the DHCP options set dopt-0a9b8c7d',
      'ha dato a vpc-0123abcd il set di opzioni DHCP dopt-0a9b8c7d',
    ],
    [
      'ReplaceNetworkAclEntry',
      events.replaceNetworkAclEntry(at(), 'acl-0a1b2c3d', 90, {
        egress: true,
        action: 'deny',
        protocol: '6',
        from: 443,
        cidr: '0.0.0.0/0',
      }),
      'replaced outbound rule 90 of acl-0a1b2c3d: deny TCP 443 · 0.0.0.0/0',
      'ha sostituito la regola in uscita 90 di acl-0a1b2c3d: nega TCP 443 · 0.0.0.0/0',
    ],
    [
      'ReplaceNetworkAclEntry (all traffic)',
      events.replaceNetworkAclEntry(at(), 'acl-0a1b2c3d', 100, {
        egress: false,
        action: 'allow',
        protocol: '-1',
        cidr: '0.0.0.0/0',
      }),
      'replaced inbound rule 100 of acl-0a1b2c3d: allow all traffic from 0.0.0.0/0',
      'ha sostituito la regola in entrata 100 di acl-0a1b2c3d: consente tutto il traffico da 0.0.0.0/0',
    ],
    [
      'DetachRolePolicy',
      events.detachRolePolicy(
        at(),
        'checkout-exec',
        'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      ),
      'detached AmazonECSTaskExecutionRolePolicy from the role checkout-exec',
      'ha scollegato AmazonECSTaskExecutionRolePolicy dal ruolo checkout-exec',
    ],
    [
      'AttachRolePolicy',
      events.attachRolePolicy(at(), 'checkout-exec', `arn:aws:iam::${ACCOUNT}:policy/pull-only`),
      'attached pull-only to the role checkout-exec',
      'ha collegato pull-only al ruolo checkout-exec',
    ],
    [
      'DeleteRolePolicy',
      events.deleteRolePolicy(at(), 'checkout-exec', 'read-secrets'),
      'deleted the inline policy read-secrets of the role checkout-exec',
      'ha eliminato la policy inline read-secrets del ruolo checkout-exec',
    ],
    [
      'PutRolePolicy',
      events.putRolePolicy(at(), 'checkout-exec', 'ecr-pull'),
      'changed the inline policy ecr-pull of the role checkout-exec',
      'ha modificato la policy inline ecr-pull del ruolo checkout-exec',
    ],
    [
      'PutLifecyclePolicy',
      events.putLifecyclePolicy(at(), 'shop/cart', '{"rules":[]}'),
      'changed the lifecycle policy of shop/cart',
      'ha modificato la policy del ciclo di vita di shop/cart',
    ],
    [
      'SetRepositoryPolicy',
      events.setRepositoryPolicy(at(), 'shop/cart'),
      'changed the repository policy of shop/cart',
      'ha modificato la policy del repository shop/cart',
    ],
    [
      'DeleteRepositoryPolicy',
      events.deleteRepositoryPolicy(at(), 'shop/cart'),
      'deleted the repository policy of shop/cart',
      'ha eliminato la policy del repository shop/cart',
    ],
    [
      'BatchDeleteImage',
      events.batchDeleteImage(at(), 'shop/cart', ['1.4.2']),
      'deleted the image 1.4.2 from shop/cart',
      "ha eliminato l'immagine 1.4.2 da shop/cart",
    ],
    [
      'DeleteRepository',
      events.deleteRepository(at(), 'shop/cart'),
      'deleted the repository shop/cart',
      'ha eliminato il repository shop/cart',
    ],
    [
      'PolicyExecutionEvent',
      events.lifecycleExpiry(
        { account: ACCOUNT, region: R, time: T },
        'shop/cart',
        { priority: 1, description: 'keep 2', countNumber: 2, prefixes: [''] },
        [{ tag: '1.4.2', digest: `sha256:${'ab'.repeat(32)}`, pushedAt: T }],
      ),
      'expired the tag 1.4.2 of shop/cart by lifecycle rule 1',
      'ha fatto scadere il tag 1.4.2 di shop/cart con la regola del ciclo di vita 1',
    ],
    [
      'ScheduleKeyDeletion',
      events.scheduleKeyDeletion(at(), KEY, 7),
      'scheduled the deletion of the KMS key 1234abcd-12ab-34cd-56ef-1234567890ab in 7 days',
      "ha programmato l'eliminazione della chiave KMS 1234abcd-12ab-34cd-56ef-1234567890ab tra 7 giorni",
    ],
    [
      'DisableKey',
      events.disableKey(at(), KEY),
      'disabled the KMS key 1234abcd-12ab-34cd-56ef-1234567890ab',
      'ha disabilitato la chiave KMS 1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    [
      'DeleteSecret',
      events.deleteSecret(at(), SECRET, 7),
      'scheduled the deletion of the secret checkout/db-AbCdEf in 7 days',
      "ha programmato l'eliminazione del segreto checkout/db-AbCdEf tra 7 giorni",
    ],
    [
      'PutSecretValue',
      events.putSecretValue(at(), SECRET),
      'stored a new value in the secret checkout/db-AbCdEf',
      'ha salvato un nuovo valore nel segreto checkout/db-AbCdEf',
    ],
    [
      'RegisterTaskDefinition',
      events.registerTaskDefinition(
        at(),
        'checkout',
        43,
        `${ACCOUNT}.dkr.ecr.${R}.amazonaws.com/checkout:2.15.0`,
      ),
      `registered the task definition checkout:43 (images ${ACCOUNT}.dkr.ecr.${R}.amazonaws.com/checkout:2.15.0)`,
      `ha registrato la definizione di attività checkout:43 (immagini ${ACCOUNT}.dkr.ecr.${R}.amazonaws.com/checkout:2.15.0)`,
    ],
    [
      'UpdateService',
      events.updateService(at(), 'payments', 'checkout', 'checkout:43'),
      'deployed checkout:43 to the service checkout',
      'ha distribuito checkout:43 nel servizio checkout',
    ],
  ];
  it.each(cases)('%s', (_name, rec, english, italian) => {
    expect(what(rec)).toEqual({ en: english, it: italian });
  });

  it('an event it has no words for is named as CloudTrail names it', () => {
    const rec = events.iam(at(), 'TagRole', {
      roleName: 'checkout-exec',
      tags: [{ key: 'team', value: 'pay' }],
    });
    expect(both(describeEvent(trailEvent(rec), { kind: 'iam-role', id: 'checkout-exec' }))).toEqual({
      en: 'called TagRole (iam) on checkout-exec',
      it: 'ha chiamato TagRole (iam) su checkout-exec',
    });
  });

  it("the task's own tag comes first among a lifecycle rule's expiries, the rest counted", () => {
    const images = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((tag, i) => ({
      tag,
      digest: `sha256:${String(i).repeat(64)}`,
      pushedAt: T,
    }));
    const rec = events.lifecycleExpiry(
      { account: ACCOUNT, region: R, time: T },
      'shop/cart',
      { priority: 2, description: 'keep 3', countNumber: 3, prefixes: ['v'] },
      images,
    );
    const ctx = taskContext({ image: `${ACCOUNT}.dkr.ecr.${R}.amazonaws.com/shop/cart:v5` });
    expect(both(describeEvent(trailEvent(rec), undefined, ctx))).toEqual({
      en: 'expired the tags v5, v1, v2, v3 and 2 more images of shop/cart by lifecycle rule 2',
      it: 'ha fatto scadere i tag v5, v1, v2, v3 e altre 2 immagini di shop/cart con la regola del ciclo di vita 2',
    });
  });
});

describe('who made a change', () => {
  const rec = (who: Json, agent?: string) =>
    trailEvent(events.deleteRoute(at(who, agent), 'rtb-1', '0.0.0.0/0'));
  const words = (e: TrailEvent) => {
    const { who, via } = whoOf(e);
    return [say(en, who), via ? say(en, via) : undefined];
  };
  it('an IAM Identity Center user, with the permission set, in the console', () => {
    expect(words(rec(identity.sso(ACCOUNT), agents.console))).toEqual([
      'maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin)',
      'in the console',
    ]);
  });
  it('a role session, with Terraform', () => {
    expect(words(rec(identity.role(ACCOUNT, 'platform-ci', 'tf-apply-8812'), agents.terraform))).toEqual([
      'tf-apply-8812 (role platform-ci)',
      'with Terraform',
    ]);
  });
  it('an IAM user with the CLI; the root user; a service; CloudFormation', () => {
    expect(words(rec(identity.user(ACCOUNT, 'Alice')))).toEqual(['the IAM user Alice', undefined]);
    expect(
      words(
        rec({ type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT }),
      ),
    ).toEqual(['the root user', undefined]);
    expect(words(rec({ type: 'AWSService', invokedBy: 'ecs.amazonaws.com' }))).toEqual([
      'ecs.amazonaws.com',
      undefined,
    ]);
    expect(
      words(
        rec({
          ...identity.role(ACCOUNT, 'stacks-CfnExecRole-1ABC', 'AWSCloudFormation'),
          invokedBy: 'cloudformation.amazonaws.com',
        }),
      ),
    ).toEqual(['AWSCloudFormation (role stacks-CfnExecRole-1ABC)', 'through CloudFormation']);
  });
  it('an Identity Center user acting directly (onBehalfOf)', () => {
    const who = {
      type: 'IdentityCenterUser',
      accountId: ACCOUNT,
      onBehalfOf: {
        userId: 'j.doe',
        identityStoreArn: 'arn:aws:identitystore::210987654321:identitystore/d-9067642ac7',
      },
      credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
    };
    expect(words(rec(who))).toEqual(['j.doe (IAM Identity Center)', undefined]);
  });
  it("ECR's lifecycle policy", () => {
    const e = trailEvent(
      events.lifecycleExpiry(
        { account: ACCOUNT, region: R, time: T },
        'r',
        { priority: 1, description: '', countNumber: 1, prefixes: [] },
        [],
      ),
    );
    expect(words(e)).toEqual(['Amazon ECR', undefined]);
  });
});

describe('which events are changes', () => {
  it('writes that succeeded, and ECR lifecycle expiries though CloudTrail marks them read-only', () => {
    const write = lookupEvent(events.deleteRoute(at(), 'rtb-1', '0.0.0.0/0'), []);
    const read = lookupEvent(
      { ...events.deleteRoute(at(), 'rtb-1', '0.0.0.0/0'), eventName: 'DescribeRouteTables', readOnly: true },
      [],
    );
    const failed = lookupEvent(
      { ...events.deleteRoute(at(), 'rtb-1', '0.0.0.0/0'), errorCode: 'Client.UnauthorizedOperation' },
      [],
    );
    const expiry = lookupEvent(
      events.lifecycleExpiry(
        { account: ACCOUNT, region: R, time: T },
        'r',
        { priority: 1, description: '', countNumber: 1, prefixes: [] },
        [],
      ),
      [],
    );
    const check = (e: Json) =>
      isChange(e as { ReadOnly?: string; EventName?: string }, parseRecord(String(e.CloudTrailEvent)));
    expect(expiry.ReadOnly).toBe('true');
    expect([check(write), check(read), check(failed), check(expiry)]).toEqual([true, false, false, true]);
  });

  it('a long policy document in a record is cut, so that saved facts stay small', () => {
    const rec = events.putRolePolicy(at(), 'checkout-exec', 'x');
    (rec.requestParameters as Json).policyDocument = 'x'.repeat(5000);
    const kept = parseRecord(JSON.stringify(rec))!;
    expect(String((kept.requestParameters as Json).policyDocument).length).toBeLessThan(260);
  });
});

describe('when, relative to the failure', () => {
  it.each([
    [0, 'moments before', 'poco prima'],
    [1, '1 minute before', '1 minuto prima'],
    [42, '42 minutes before', '42 minuti prima'],
    [190, '3 hours before', '3 ore prima'],
    [60 * 30, '30 hours before', '30 ore prima'],
    [60 * 24 * 3, '3 days before', '3 giorni prima'],
    [-3, '3 minutes after', '3 minuti dopo'],
  ])('%i minutes', (m, english, italian) => {
    expect(whenText(en, m)).toBe(english);
    expect(whenText(it_, m)).toBe(italian);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const demo = (name: string) =>
  parseSavedFacts(
    readFileSync(join(import.meta.dirname, '..', '..', 'demo', 'scenarios', `${name}.json`), 'utf8'),
    name,
  );

/** A scenario without its CloudTrail fact: what the diagnosis has when it plans the lookups. */
async function beforeLookups(name: string) {
  const saved = demo(name);
  delete saved.facts['cloudtrail.changes'];
  return { saved, report: await evaluate(saved) };
}

describe('the demo timelines, in both languages', () => {
  it.each(['network-no-route', 'image-not-found'])(
    '%s: every sentence translated, no placeholder left',
    async (name) => {
      const report = await evaluate(demo(name));
      expect(report.changes!.events.length).toBeGreaterThan(1);
      expect(report.causes[0]!.change).toBeDefined();
      for (const t of [en, it_]) {
        for (const e of report.changes!.events) {
          for (const m of [e.who, e.what, ...(e.via ? [e.via] : [])]) {
            const s = say(t, m);
            expect(s, m.key).not.toBe(m.key);
            expect(s, m.key).not.toMatch(/\{\{|\}\}|undefined|changes:/);
          }
          expect(changeLine(t, e)).not.toMatch(/\{\{|undefined/);
        }
        expect(changeAnswer(t, report)).toMatch(/\.$/);
      }
    },
  );
});

describe('which resources are looked up', () => {
  const plan = async (name: string, settings = CHANGE_DEFAULTS) => {
    const { saved, report } = await beforeLookups(name);
    return planChanges(
      {
        context: report.context,
        checks: report.checks,
        causes: report.causes,
        facts: saved.facts,
        after: ['ecs.task'],
      },
      settings,
    );
  };

  it("the answer's failing resources first, at most two in one account and region, in a window of whole minutes", async () => {
    const p = (await plan('network-no-route'))!;
    expect(p.lookups.map((l) => [l.kind, l.name, l.region])).toEqual([
      ['route-table', 'rtb-6953631cdc826addc', 'eu-south-1'],
      ['vpc', 'vpc-50c19280ace804328', 'eu-south-1'],
    ]);
    expect(p.skipped).toEqual([{ kind: 'subnet', id: 'subnet-350f75d458012d773' }]);
    expect(p.failureAt).toBe('2026-11-29T04:47:41.512Z');
    expect([p.from, p.to]).toEqual(['2026-11-28T04:47:00.000Z', '2026-11-29T04:53:00.000Z']);
    expect(p.limits).toEqual({ maxLookups: 3, perRegion: 2 });
  });

  it('an ECR repository by its ARN, an IAM role by its name in the global region', async () => {
    expect((await plan('image-not-found'))!.lookups).toEqual([
      {
        kind: 'ecr-repository',
        id: 'shop/cart',
        region: 'eu-south-1',
        name: 'arn:aws:ecr:eu-south-1:123456789012:repository/shop/cart',
      },
    ]);
    const role = (await plan('execution-role'))!.lookups.find((l) => l.kind === 'iam-role')!;
    expect(role.region).toBe('us-east-1');
    expect(role.name).not.toContain(':');
  });

  it('the window and the budget come from the configuration; no budget, no plan; nothing failing, no plan', async () => {
    const p = (await plan('network-no-route', { lookbackHours: 2, afterMinutes: 0, maxLookups: 1 }))!;
    expect(p.lookups).toHaveLength(1);
    expect(p.skipped.map((s) => s.kind)).toEqual(['vpc', 'subnet']);
    expect([p.from, p.to]).toEqual(['2026-11-29T02:47:00.000Z', '2026-11-29T04:48:00.000Z']);
    expect(await plan('network-no-route', { ...CHANGE_DEFAULTS, maxLookups: 0 })).toBeUndefined();
    expect(await plan('not-a-pull-failure')).toBeUndefined();
  });
});

describe('the timeline and the verdict', () => {
  async function withEvents(name: string, lookups: (base: ChangesRecord) => ChangesRecord) {
    const saved = demo(name);
    const rec = saved.facts['cloudtrail.changes']!;
    if (!rec.ok) throw new Error('no changes fact');
    saved.facts['cloudtrail.changes'] = { ...rec, value: lookups(rec.value as ChangesRecord) };
    return evaluate(saved);
  }

  it('a change to a failing resource of the answer 42 minutes before raises it and is named with it', async () => {
    const plain = await withEvents('network-no-route', (r) => ({
      ...r,
      lookups: r.lookups.map((l) => ({ ...l, events: [] })),
    }));
    const report = await evaluate(demo('network-no-route'));
    expect(plain.causes[0]!.change).toBeUndefined();
    expect(report.causes[0]!.id).toBe(plain.causes[0]!.id);
    expect(report.causes[0]!.confidence).toBeGreaterThan(plain.causes[0]!.confidence);
    expect(report.causes[0]!.confidence).toBe(0.95);
    const del = report.changes!.events.find((e) => e.id === report.causes[0]!.change)!;
    expect(del.name).toBe('DeleteRoute');
    expect(changeAnswer(en, report)).toBe(
      '42 minutes before the failure, maria.rossi@example.com (IAM Identity Center, permission set NetworkAdmin), in the console, deleted the route 0.0.0.0/0 → nat-0a7ccb3535d9cf0ab from rtb-6953631cdc826addc.',
    );
    expect(changeAnswer(it_, report)).toBe(
      "42 minuti prima dell'errore, maria.rossi@example.com (IAM Identity Center, set di autorizzazioni NetworkAdmin), dalla console, ha eliminato la route 0.0.0.0/0 → nat-0a7ccb3535d9cf0ab da rtb-6953631cdc826addc.",
    );
    // The shares still add up.
    expect(report.causes.reduce((a, c) => a + c.confidence, 0)).toBeLessThanOrEqual(1.0000001);
  });

  it('a change long before the failure, or after it, or to a resource no failing check names, does not', async () => {
    const shift = (minutes: number) =>
      withEvents('network-no-route', (r) => ({
        ...r,
        lookups: r.lookups.map((l) => ({
          ...l,
          events: l.events.map((e) => ({
            ...e,
            eventTime: new Date(Date.parse(r.failureAt) - minutes * 60_000).toISOString(),
          })),
        })),
      }));
    expect((await shift(7 * 60)).causes[0]!.change).toBeUndefined();
    expect((await shift(-3)).causes[0]!.change).toBeUndefined();
    const elsewhere = await withEvents('network-no-route', (r) => ({
      ...r,
      lookups: r.lookups.map((l) => ({ ...l, kind: 'subnet' as const, id: 'subnet-0elsewhere' })),
    }));
    expect(elsewhere.causes[0]!.change).toBeUndefined();
  });

  it('applyChanges: among several, a removal nearest the failure; the level follows the confidence', () => {
    const causes: Cause[] = [
      {
        id: 'network-security-group',
        confidence: 0.5,
        level: 'medium',
        checks: ['network.security-group-egress'],
      },
      { id: 'vpc-endpoint', confidence: 0.3, level: 'low', checks: ['endpoints.required'] },
    ];
    const ev = (id: string, name: string, minutesBefore: number) => ({
      id,
      name,
      source: 'ec2.amazonaws.com',
      time: '2026-11-29T04:00:00Z',
      minutesBefore,
      who: { key: 'changes:who.root' },
      what: { key: 'changes:what.other.base', params: {} },
      resources: [{ kind: 'security-group' as const, id: 'sg-1' }],
      checks: ['network.security-group-egress'],
      failing: true,
      link: { kind: 'cloudtrail-event' as const, id, url: 'https://x' },
    });
    const changes: ChangeReport = {
      limits: { maxLookups: 3, perRegion: 2 },
      failureAt: '2026-11-29T04:47:00Z',
      from: '',
      to: '',
      lookups: [],
      skipped: [],
      events: [ev('a', 'AuthorizeSecurityGroupEgress', 5), ev('r', 'RevokeSecurityGroupEgress', 30)],
    };
    applyChanges(causes, changes);
    expect(causes[0]).toMatchObject({ change: 'r', confidence: 0.75, level: 'high' });
    expect(causes[1]!.confidence).toBe(0.25);
  });

  it('what could not be looked up is said: throttled, denied, not allowed, the deadline, a full page, the budget', () => {
    const notes = (t: TFunction) =>
      changeNotes(t, {
        limits: { maxLookups: 3, perRegion: 2 },
        failureAt: '',
        from: '',
        to: '',
        lookups: [
          { kind: 'route-table', id: 'rtb-1', name: 'rtb-1', region: R, status: 'ok', events: 0 },
          {
            kind: 'security-group',
            id: 'sg-1',
            name: 'sg-1',
            region: R,
            status: 'throttled',
            code: 'ThrottlingException',
            events: 0,
          },
          {
            kind: 'iam-role',
            id: 'exec',
            name: 'exec',
            region: 'us-east-1',
            status: 'denied',
            code: 'AccessDeniedException',
            action: 'cloudtrail:LookupEvents',
            events: 0,
          },
          {
            kind: 'ecr-repository',
            id: 'r',
            name: 'arn',
            region: R,
            account: '111111111111',
            status: 'not-allowed',
            code: 'NotAllowed',
            events: 0,
          },
          {
            kind: 'vpc',
            id: 'vpc-1',
            name: 'vpc-1',
            region: R,
            status: 'timeout',
            code: 'TimeoutError',
            events: 0,
          },
          {
            kind: 'subnet',
            id: 'subnet-1',
            name: 'subnet-1',
            region: R,
            status: 'ok',
            events: 50,
            more: true,
          },
        ],
        skipped: [{ kind: 'subnet', id: 'subnet-2' }],
        events: [],
      }).map((n) => `${n.problem ? '!' : '·'} ${n.text}`);
    expect(notes(en)).toEqual([
      "· No change to rtb-1 in CloudTrail's event history in that time.",
      '! sg-1: CloudTrail throttled the lookup (ThrottlingException), so its changes are not shown.',
      '! exec: not looked up, cloudtrail:LookupEvents was denied (AccessDeniedException).',
      '! r: in account 111111111111, which may not be read from here, so it was not looked up.',
      "! vpc-1: the lookup did not finish before the diagnosis' deadline (TimeoutError).",
      '· subnet-1 had more events than one page: only the newest were read.',
      '· Not looked up (a diagnosis makes at most 3 lookups, 2 in one account and region: CloudTrail answers two a second there): subnet-2.',
    ]);
    for (const n of notes(it_)) expect(n).not.toMatch(/\{\{|undefined/);
  });

  it('a record it cannot parse still shows, by its name', () => {
    const ctx = taskContext();
    const rec: ChangesRecord = {
      limits: { maxLookups: 3, perRegion: 2 },
      failureAt: '2026-11-29T04:47:00.000Z',
      from: '2026-11-28T04:47:00.000Z',
      to: '2026-11-29T04:52:00.000Z',
      lookups: [
        {
          kind: 'route-table',
          id: 'rtb-1',
          name: 'rtb-1',
          region: R,
          readEvents: 0,
          events: [
            {
              eventId: 'e1',
              eventName: 'DeleteRoute',
              eventSource: 'ec2.amazonaws.com',
              eventTime: '2026-11-29T04:40:00.000Z',
              username: 'bob',
            },
          ],
        },
      ],
      skipped: [],
    };
    const checks: CheckResult[] = [];
    const c = buildChanges(rec, ctx, checks, new ConsoleLinks('aws', R, ACCOUNT));
    expect(changeLine(en, c.events[0]!)).toBe('7 minutes before: bob called DeleteRoute (ec2) on rtb-1');
  });
});
