/**
 * How the command line reaches accounts (issue 14, point 1), and that the bot does not: a ClientPool without `cli`
 * refuses an account its configuration does not list and asks nothing; with `cli`, --role-arn wins for its account,
 * and an unlisted account is reached with the own credentials when sts:GetCallerIdentity (asked once) says they are
 * in it, else refused naming both accounts.
 */
import { describe, expect, it } from 'vitest';
import { type CliAccess, ClientPool } from '../../src/aws/clients.js';
import { defaultConfig } from '../../src/config.js';
import { UserError } from '../../src/errors.js';

const OWN = '123456789012';
const OTHER = '210987654321';
const LISTED = '333333333333';

const config = defaultConfig({
  accounts: {
    [LISTED]: { roleArn: `arn:aws:iam::${LISTED}:role/ecs-pull-diagnostics`, externalId: 'ext-1' },
  },
});

/** A pool whose own identity is OWN, counting the sts:GetCallerIdentity calls. */
class Pool extends ClientPool {
  identityCalls = 0;
  constructor(cli?: CliAccess) {
    super(config, {
      baseCredentials: async () => {
        throw new Error('no AWS call expected');
      },
      ...(cli ? { cli } : {}),
    });
  }
  override async whoAmI(): Promise<{ Arn?: string; Account?: string }> {
    this.identityCalls++;
    return { Arn: `arn:aws:iam::${OWN}:user/alice`, Account: OWN };
  }
}

async function keyOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UserError) return err.key;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('ClientPool: the bot reaches only what its configuration lists', () => {
  it('refuses an unlisted account without asking anything', async () => {
    const pool = new Pool();
    expect(await keyOf(pool.resolvePlan(OWN, 'eu-west-1', 'aws', 'slack-T-U'))).toBe(
      'errors.account.not-configured',
    );
    expect(pool.identityCalls).toBe(0);
    expect(pool.canReach(OWN, 'aws')).toBe(false);
  });
});

describe('ClientPool: the command line', () => {
  it('reaches its own account with its own credentials, after one sts:GetCallerIdentity', async () => {
    const pool = new Pool({ ownAccount: true });
    const calls: Array<[boolean, string | undefined]> = [];
    const record = (ok: boolean, code?: string) => calls.push([ok, code]);
    expect(pool.canReach(OWN, 'aws')).toBe(false);
    expect(await pool.resolvePlan(OWN, 'eu-west-1', 'aws', 'cli-alice', record)).toEqual({ kind: 'default' });
    expect(await pool.resolvePlan(OWN, 'eu-west-1', 'aws', 'cli-alice', record)).toEqual({ kind: 'default' });
    expect(calls).toEqual([[true, undefined]]);
    // Known now, for the checks that look across accounts.
    expect(pool.canReach(OWN, 'aws')).toBe(true);
    expect(await keyOf(pool.resolvePlan(OTHER, 'eu-west-1', 'aws', 'cli-alice'))).toBe(
      'errors.account.not-yours',
    );
    expect(pool.identityCalls).toBe(1);
  });

  it('keeps the configuration for a listed account, and asks nothing for it', async () => {
    const pool = new Pool({ ownAccount: true });
    expect(await pool.resolvePlan(LISTED, 'eu-west-1', 'aws', 'cli-alice')).toMatchObject({
      kind: 'assume-role',
      roleArn: `arn:aws:iam::${LISTED}:role/ecs-pull-diagnostics`,
      externalId: 'ext-1',
    });
    expect(pool.identityCalls).toBe(0);
  });

  it('--role-arn wins in its own account, the configuration elsewhere', async () => {
    const roleArn = `arn:aws:iam::${LISTED}:role/OnCall`;
    const pool = new Pool({ ownAccount: true, roleArn, externalId: 'mine' });
    expect(pool.plan(LISTED, 'aws', 'cli-alice')).toEqual({
      kind: 'assume-role',
      roleArn,
      externalId: 'mine',
      sessionName: 'ecs-pull-cli-alice',
    });
    expect(await pool.resolvePlan(OWN, 'eu-west-1', 'aws', 'cli-alice')).toEqual({ kind: 'default' });
  });
});
