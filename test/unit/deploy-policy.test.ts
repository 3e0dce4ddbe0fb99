/**
 * The IAM the bot needs, derived from the code: every action a fact provider (or the alert storm's task lookup,
 * facts/task-batch.ts) calls is declared next to it, granted by the diagnostics role template, and read-only; the
 * template grants nothing the code never calls; the bot's own role may only assume that role.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requiredActions } from '../../src/doctor.js';
import { readTemplate } from '../helpers/cfn.js';

const factsDir = join(import.meta.dirname, '..', '..', 'src', 'diagnosis', 'facts');

/** Actions the code really calls: the first argument of every h.call(…) in the fact providers and call(…) in task-batch.ts. */
function calledInCode(): string[] {
  const out = new Set<string>();
  for (const f of readdirSync(factsDir).filter((x) => x.endsWith('.ts'))) {
    const text = readFileSync(join(factsDir, f), 'utf8');
    // h.call('svc:Action', …), the ECR helper ecrCall(repo, 'ecr:Action', …) that wraps it, and task-batch's
    // call('svc:Action', …).
    for (const m of text.matchAll(
      /(?:h\s*\.call\(|\bcall\(|\becrCall\(\s*\w+\s*,)\s*'([a-z0-9-]+:[A-Za-z]+)'/g,
    ))
      out.add(m[1]!);
  }
  return [...out].sort();
}

/** What the code declares (doctor checks a role against the same list). */
const declared = requiredActions();

function statements(doc: {
  Statement: unknown;
}): Array<{ Effect: string; Action: string | string[]; Resource?: unknown }> {
  return ([] as unknown[]).concat(doc.Statement) as Array<{ Effect: string; Action: string | string[] }>;
}

describe('IAM actions: code, providers and templates agree', () => {
  it('every action called in the code is declared next to it, and every declared one is called', () => {
    expect(calledInCode()).toEqual(declared);
    expect(declared.length).toBeGreaterThan(20);
  });

  it('the diagnostics role grants exactly those actions, all read-only', () => {
    const t = readTemplate('diagnostics-role.yml');
    const role = t.Resources.DiagnosticsRole.Properties;
    const granted = role.Policies.flatMap((p: { PolicyDocument: { Statement: unknown } }) =>
      statements(p.PolicyDocument).flatMap((s) => {
        expect(s.Effect).toBe('Allow');
        return ([] as string[]).concat(s.Action);
      }),
    );
    expect([...new Set(granted)].sort()).toEqual(declared);
    for (const a of granted)
      expect(a, `${a} is not read-only`).toMatch(
        /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Simulate|Lookup)[A-Za-z]*$/,
      );
    expect(granted).not.toContain('secretsmanager:GetSecretValue');
    expect(granted).not.toContain('ssm:GetParameters');
  });

  it('sts:GetCallerIdentity is recorded with the calls but is in no role: it needs no permission', () => {
    // The command line asks it once, with the person's own credentials and before any role, to learn which
    // account they are in (aws/clients.ts); the session records it in the report's call list. AWS documents that it
    // needs no permission (an explicit deny does not stop it), so no role grants it and no provider declares it.
    const session = readFileSync(join(factsDir, 'session.ts'), 'utf8');
    expect(session).toContain("api: 'sts:GetCallerIdentity'");
    expect(calledInCode()).not.toContain('sts:GetCallerIdentity');
    expect(declared).not.toContain('sts:GetCallerIdentity');
    const role = readTemplate('diagnostics-role.yml').Resources.DiagnosticsRole.Properties;
    expect(JSON.stringify(role.Policies)).not.toContain('GetCallerIdentity');
  });

  it('the diagnostics role is assumable only by the bot role, with the ExternalId', () => {
    const trust =
      readTemplate('diagnostics-role.yml').Resources.DiagnosticsRole.Properties.AssumeRolePolicyDocument;
    const [s] = statements(trust) as unknown as Array<Record<string, unknown>>;
    expect(statements(trust)).toHaveLength(1);
    expect(s!.Principal).toEqual({ AWS: { Ref: 'BotRoleArn' } });
    expect(s!.Action).toBe('sts:AssumeRole');
    expect(s!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
  });

  it('the bot task role may only assume the diagnostics roles', () => {
    const t = readTemplate('ecs-pull-bot.yml');
    const policies = t.Resources.TaskRole.Properties.Policies;
    const all = policies.flatMap((p: { PolicyDocument: { Statement: unknown } }) =>
      statements(p.PolicyDocument),
    );
    expect(all).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub expression, not JavaScript
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${DiagnosticsRoleName}' },
      },
    ]);
    expect(t.Resources.TaskRole.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
