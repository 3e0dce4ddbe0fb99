/**
 * `ecs-pull doctor`: is this installation able to work? The configuration, the Slack tokens and scopes, the bot's
 * own AWS identity, and for each configured account: can the role be assumed, and may it make every call the
 * checks need (asked of iam:SimulatePrincipalPolicy, else decided by evaluating the role's policies). Also whether
 * the optional policy evaluator (AGPL-3.0, not in the default install) is there. The Slack Web API client (Bolt)
 * is loaded only when a Slack token is configured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AccessPlan, ClientPool } from './aws/clients.js';
import { classifyAwsError } from './aws/errors.js';
import { partitionOfRegion } from './aws/partition.js';
import {
  evaluatePolicy,
  type NamedPolicy,
  POLICY_EVALUATOR_PACKAGE,
  policyEvaluator,
} from './aws/policy-eval.js';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
} from './aws/sdk/iam.js';
import type { Config } from './config.js';
import type { Message } from './diagnosis/checks/types.js';
import { providers } from './diagnosis/facts/index.js';
import { SERVICE_ACTIONS } from './diagnosis/facts/service-tasks.js';
import { TASK_BATCH_ACTIONS } from './diagnosis/facts/task-batch.js';
import { isUserError } from './errors.js';
import { localesDir } from './i18n.js';
import { SLACK_API_URL, slackFailure } from './slack/reach.js';

export type RowStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface DoctorRow {
  /** What was checked: a message key (doctor:check.*) with parameters. */
  check: Message;
  status: RowStatus;
  detail: Message;
  fix?: Message;
}

/** Every IAM action the fact providers and the alert storm's task lookup call: what a diagnostics role must allow. */
export function requiredActions(): string[] {
  return [
    ...new Set([
      ...[...providers.values()].flatMap((p) => p.actions),
      ...TASK_BATCH_ACTIONS,
      ...SERVICE_ACTIONS,
    ]),
  ].sort();
}

/** Bot scopes requested by manifest.yml (what auth.test must report). */
export function manifestScopes(): string[] {
  try {
    const manifest = parseYaml(readFileSync(join(localesDir(), '..', 'manifest.yml'), 'utf8')) as {
      oauth_config?: { scopes?: { bot?: string[] } };
    };
    return manifest.oauth_config?.scopes?.bot ?? [];
  } catch {
    return [];
  }
}

const row = (check: Message, status: RowStatus, detail: Message, fix?: Message): DoctorRow =>
  fix ? { check, status, detail, fix } : { check, status, detail };
const m = (key: string, params: Message['params'] = {}): Message => ({ key: `doctor:${key}`, params });

function decode(doc: string | undefined): unknown {
  if (!doc) return undefined;
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    return undefined;
  }
}

/** The role's own policies, for local evaluation when simulation is unavailable. */
async function rolePolicies(
  iam: IAMClient,
  roleName: string,
): Promise<{ identity: NamedPolicy[]; boundary?: NamedPolicy }> {
  const [role, attached, inline] = await Promise.all([
    iam.send(new GetRoleCommand({ RoleName: roleName })),
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    iam.send(new ListRolePoliciesCommand({ RoleName: roleName })),
  ]);
  const managed = async (arn: string): Promise<NamedPolicy> => {
    const p = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const v = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.Policy?.DefaultVersionId ?? 'v1' }),
    );
    return { name: p.Policy?.PolicyName ?? arn, document: decode(v.PolicyVersion?.Document) };
  };
  const identity = await Promise.all([
    ...(inline.PolicyNames ?? []).map(async (name) => {
      const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      return { name, document: decode(out.PolicyDocument) };
    }),
    ...(attached.AttachedPolicies ?? []).map((p) => managed(p.PolicyArn!)),
  ]);
  const boundaryArn = role.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  return boundaryArn ? { identity, boundary: await managed(boundaryArn) } : { identity };
}

/** The optional policy evaluator: installed (with its version), or not, and what that leaves unknown. */
export async function policyEvaluatorRow(): Promise<DoctorRow> {
  const status = await policyEvaluator();
  const pkg = POLICY_EVALUATOR_PACKAGE;
  if (status.installed)
    return row(
      m('check.policy-evaluator'),
      'pass',
      m('detail.evaluator-installed', { package: pkg, version: status.version ?? '?' }),
    );
  return row(
    m('check.policy-evaluator'),
    'warn',
    status.reason === 'not-installed'
      ? m('detail.evaluator-missing', { package: pkg })
      : m('detail.evaluator-failed', { package: pkg, detail: status.detail }),
    m('fix.evaluator', { package: pkg }),
  );
}

/** Which of `actions` the role may not perform, and how that was decided (`unavailable`: it could not be). */
async function missingActions(
  iam: IAMClient,
  roleArn: string,
  actions: string[],
): Promise<{ missing: string[]; method: 'simulation' | 'local' | 'unavailable'; reason?: string }> {
  try {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn,
        ActionNames: actions,
        ResourceArns: ['*'],
      }),
    );
    const missing = (out.EvaluationResults ?? [])
      .filter((r) => r.EvalDecision !== 'allowed')
      .map((r) => r.EvalActionName ?? '?');
    return { missing: missing.sort(), method: 'simulation' };
  } catch (err) {
    const reason = classifyAwsError(err, 'iam:SimulatePrincipalPolicy').code;
    const { identity, boundary } = await rolePolicies(iam, roleArn.split('/').pop()!);
    const account = roleArn.split(':')[4] ?? '';
    const missing: string[] = [];
    for (const action of actions) {
      const a = await evaluatePolicy({
        principal: roleArn,
        action,
        resource: '*',
        resourceAccount: account,
        identityPolicies: identity,
        ...(boundary ? { permissionBoundary: boundary } : {}),
      });
      if (a.decision === 'unavailable') return { missing: [], method: 'unavailable', reason };
      if (a.decision !== 'allowed') missing.push(action);
    }
    return { missing, method: 'local', reason };
  }
}

/**
 * Which channels may diagnose which accounts (slack.channels, slack.defaultAccounts): a warning when no channel may
 * diagnose anything (every request would be refused), and when "*" meets roleNameTemplate (those channels may make
 * the bot try to assume its role in any 12-digit account id anyone pastes).
 */
export function channelAccessRows(config: Config): DoctorRow[] {
  const { channels, defaultAccounts } = config.slack;
  const own = Object.entries(channels).filter(([, c]) => c.accounts !== undefined);
  const rows: DoctorRow[] = [];
  const anywhere = defaultAccounts.length > 0 || own.some(([, c]) => (c.accounts ?? []).length > 0);
  if (!anywhere)
    rows.push(row(m('check.slack-access'), 'warn', m('detail.no-channel-access'), m('fix.channel-access')));
  if (config.roleNameTemplate) {
    const wild = [
      ...own.filter(([, c]) => c.accounts?.includes('*')).map(([id]) => `slack.channels.${id}.accounts`),
      ...(defaultAccounts.includes('*') ? ['slack.defaultAccounts'] : []),
    ];
    if (wild.length)
      rows.push(
        row(
          m('check.slack-access'),
          'warn',
          m('detail.wildcard-template', { settings: wild.join(', '), template: config.roleNameTemplate }),
          m('fix.wildcard-template'),
        ),
      );
  }
  if (!rows.length)
    rows.push(
      row(
        m('check.slack-access'),
        'pass',
        m('detail.channel-access', {
          count: own.length,
          defaults: defaultAccounts.length ? defaultAccounts.join(', ') : '—',
        }),
      ),
    );
  return rows;
}

export interface DoctorOptions {
  config: Config;
  pool: ClientPool;
  /** Extra accounts to try (for setups that only give a role-name template). */
  accounts: string[];
  region: string;
  /**
   * Run by the bot itself (an admin's App Home): its Slack connection is the one it is answering on, so the
   * connection row says so instead of opening another (apps.connections.open).
   */
  inBot?: boolean;
}

/** Runs every check; never throws. */
export async function runDoctor(o: DoctorOptions): Promise<DoctorRow[]> {
  // Where the configuration came from, in words: a file's path, or the environment alone.
  const source = o.config.source;
  const configDetail =
    source === 'environment' || source === 'defaults'
      ? m(`detail.config-${source}`)
      : m('detail.config', { source });
  const rows: DoctorRow[] = [row(m('check.config'), 'pass', configDetail)];
  rows.push(await policyEvaluatorRow());

  // Slack
  const s = o.config.slack;
  if (!s.botToken) {
    rows.push(row(m('check.slack'), 'skip', m('detail.slack-off')));
  } else {
    const { webApi } = await import('@slack/bolt');
    const client = new webApi.WebClient(s.botToken, {
      ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}),
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    try {
      const auth = await client.auth.test();
      const granted = String(
        (auth.response_metadata as { scopes?: string[] } | undefined)?.scopes?.join(',') ?? '',
      )
        .split(',')
        .filter(Boolean);
      const wanted = manifestScopes();
      const missing = granted.length ? wanted.filter((w) => !granted.includes(w)) : [];
      rows.push(
        missing.length
          ? row(
              m('check.slack'),
              'fail',
              m('detail.slack-scopes', { missing: missing.join(', ') }),
              m('fix.slack-scopes'),
            )
          : row(
              m('check.slack'),
              'pass',
              m('detail.slack', { team: String(auth.team ?? '?'), user: String(auth.user ?? '?') }),
            ),
      );
    } catch (err) {
      rows.push(slackErrorRow(m('check.slack'), err, s.apiUrl, m('fix.slack-token')));
    }
    if (o.inBot) {
      rows.push(row(m('check.slack-mode'), 'pass', m('detail.in-bot', { mode: s.mode })));
    } else if (s.mode === 'socket') {
      if (!s.appToken)
        rows.push(row(m('check.slack-mode'), 'fail', m('detail.no-app-token'), m('fix.app-token')));
      else {
        try {
          await new webApi.WebClient(s.appToken, {
            ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}),
            retryConfig: { retries: 0 },
            logLevel: webApi.LogLevel.ERROR,
          }).apps.connections.open();
          rows.push(row(m('check.slack-mode'), 'pass', m('detail.socket-ok')));
        } catch (err) {
          rows.push(slackErrorRow(m('check.slack-mode'), err, s.apiUrl, m('fix.app-token')));
        }
      }
    } else if (!s.signingSecret) {
      rows.push(row(m('check.slack-mode'), 'fail', m('detail.no-signing-secret'), m('fix.signing-secret')));
    } else rows.push(row(m('check.slack-mode'), 'pass', m('detail.http-ok', { port: s.port })));
    rows.push(...channelAccessRows(o.config));
  }

  // The bot's own identity
  let noCredentials = false;
  try {
    const me = await o.pool.whoAmI(o.region);
    rows.push(row(m('check.identity'), 'pass', m('detail.identity', { arn: me.Arn ?? '?' })));
  } catch (err) {
    if (isUserError(err)) {
      // No credentials at all (said once, with what to set): nothing below can be checked.
      noCredentials = true;
      rows.push(row(m('check.identity'), 'fail', { key: err.key, params: { ...err.params } }));
    } else {
      const e = classifyAwsError(err, 'sts:GetCallerIdentity');
      rows.push(
        row(
          m('check.identity'),
          'fail',
          m('detail.aws-error', { code: e.code, message: e.message.slice(0, 160) }),
          m('fix.credentials'),
        ),
      );
    }
  }

  // Accounts
  const accounts = [...new Set([...Object.keys(o.config.accounts), ...o.accounts])].sort();
  if (!accounts.length)
    rows.push(row(m('check.accounts'), 'warn', m('detail.no-accounts'), m('fix.accounts')));
  const actions = requiredActions();
  const partition = partitionOfRegion(o.region);
  for (const account of accounts) {
    let plan: AccessPlan;
    try {
      plan = o.pool.plan(account, partition, 'doctor');
    } catch {
      rows.push(row(m('check.assume', { account }), 'fail', m('detail.not-configured'), m('fix.accounts')));
      continue;
    }
    if (noCredentials) {
      rows.push(row(m('check.assume', { account }), 'skip', m('detail.needs-credentials')));
      continue;
    }
    try {
      await o.pool.warmUp(account, o.region, partition, 'doctor');
      rows.push(
        row(
          m('check.assume', { account }),
          'pass',
          plan.kind === 'assume-role'
            ? m('detail.assumed', { role: plan.roleArn })
            : m('detail.default-credentials'),
        ),
      );
    } catch (err) {
      const e = classifyAwsError(err, 'sts:AssumeRole');
      rows.push(
        row(
          m('check.assume', { account }),
          'fail',
          m('detail.aws-error', { code: e.code, message: e.message.slice(0, 160) }),
          // The own credentials (defaultCredentials) have no role to check: they are what failed.
          plan.kind === 'assume-role' ? m('fix.assume', { role: plan.roleArn }) : m('fix.credentials'),
        ),
      );
      continue;
    }
    if (plan.kind !== 'assume-role') {
      rows.push(row(m('check.permissions', { account }), 'skip', m('detail.default-permissions')));
      continue;
    }
    try {
      const iam = o.pool.get(account, o.region, partition, 'doctor').iam;
      const r = await missingActions(iam, plan.roleArn, actions);
      if (r.method === 'unavailable') {
        rows.push(
          row(
            m('check.permissions', { account }),
            'warn',
            m('detail.permissions-no-evaluator', {
              reason: r.reason ?? '?',
              package: POLICY_EVALUATOR_PACKAGE,
            }),
            m('fix.evaluator', { package: POLICY_EVALUATOR_PACKAGE }),
          ),
        );
        continue;
      }
      const detail = r.missing.length
        ? m(`detail.missing-actions-${r.method}`, {
            count: r.missing.length,
            actions: r.missing.join(', '),
            reason: r.reason ?? '?',
          })
        : m(`detail.all-actions-${r.method}`, { count: actions.length, reason: r.reason ?? '?' });
      rows.push(
        r.missing.length
          ? row(m('check.permissions', { account }), 'fail', detail, m('fix.permissions'))
          : row(m('check.permissions', { account }), 'pass', detail),
      );
    } catch (err) {
      const e = classifyAwsError(err);
      rows.push(
        row(
          m('check.permissions', { account }),
          'warn',
          m('detail.aws-error', { code: e.code, message: e.message.slice(0, 160) }),
          m('fix.permissions'),
        ),
      );
    }
  }
  return rows;
}

/** A failed Slack call: unreachable (with the URL and the fix for the network) or refused (the token's fix). */
function slackErrorRow(
  check: Message,
  err: unknown,
  apiUrl: string | undefined,
  tokenFix: Message,
): DoctorRow {
  const f = slackFailure(err);
  const url = apiUrl ?? SLACK_API_URL;
  if (f.kind === 'unreachable')
    return row(
      check,
      'fail',
      m('detail.slack-unreachable', { url, error: f.error }),
      m('fix.slack-unreachable', { url }),
    );
  return row(check, 'fail', m('detail.slack-refused', { error: f.error }), tokenFix);
}
