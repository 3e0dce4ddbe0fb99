/** `ecs-pull doctor`: a pass/fail table of everything the bot needs; exit code 1 when anything fails. */
import { environmentProfile } from '../config-base.js';
import { UserError } from '../errors.js';
import { say } from '../render/text.js';
import { type CommandContext, commandEnv, type GlobalOptions } from './common.js';

interface DoctorOptions extends GlobalOptions {
  account?: string[];
  region?: string;
  profile?: string;
  json?: boolean;
}

const marks = { pass: '✓', fail: '✗', warn: '!', skip: '-' } as const;

/** Runs `doctor`. */
export async function doctor(opts: DoctorOptions, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  for (const a of opts.account ?? [])
    if (!/^\d{12}$/.test(a)) throw new UserError('errors.target.bad-account', { value: a });
  const env = await commandEnv(opts, ctx);
  const [{ ClientPool }, { runDoctor }] = await Promise.all([
    import('../aws/clients.js'),
    import('../doctor.js'),
  ]);
  const region = opts.region ?? 'us-east-1';
  const rows = await runDoctor({
    config: env.config,
    // The credentials of --profile (else AWS_PROFILE, else the SDK's chain), and none said in words.
    pool: new ClientPool(env.config, { cli: { profile: opts.profile || environmentProfile() } }),
    accounts: opts.account ?? [],
    region,
  });
  const t = env.t;
  const failed = rows.filter((r) => r.status === 'fail').length;
  if (opts.json) {
    io.out(
      `${JSON.stringify({ ok: failed === 0, rows: rows.map((r) => ({ ...r, text: { check: say(t, r.check), detail: say(t, r.detail), fix: r.fix ? say(t, r.fix) : undefined } })) }, null, 2)}\n`,
    );
  } else {
    const lines = [t('doctor:title'), ''];
    const width = Math.max(...rows.map((r) => say(t, r.check).length));
    for (const r of rows) {
      lines.push(`${marks[r.status]} ${say(t, r.check).padEnd(width)}  ${say(t, r.detail)}`);
      if (r.fix && r.status !== 'pass') lines.push(`  ${' '.repeat(width)}  → ${say(t, r.fix)}`);
    }
    lines.push('', failed ? t('doctor:summary.failed', { count: failed }) : t('doctor:summary.ok'));
    io.out(`${lines.join('\n')}\n`);
  }
  ctx.setExit(failed ? 1 : 0);
}
