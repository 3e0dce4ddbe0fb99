/** `ecs-pull classify "<message>"`: the likely causes of a stop message, from the text alone (no AWS access). */
import type { Params } from '../diagnosis/checks/types.js';
import { UserError } from '../errors.js';
import type { Row } from '../render/terminal.js';
import { type CommandContext, type GlobalOptions, languageEnv } from './common.js';

interface ClassifyOptions extends GlobalOptions {
  json?: boolean;
}

/** Runs `classify`: the configuration is not needed (a problem with it is said and passed over). */
export async function classifyCommand(
  message: string,
  opts: ClassifyOptions,
  ctx: CommandContext,
): Promise<void> {
  const { io } = ctx;
  const env = await languageEnv(opts, ctx, 'classify');
  const text = message === '-' ? await io.readStdin() : message;
  if (!text.trim()) throw new UserError('causes:classify.empty');
  const [
    { classify },
    { causeSummary, notAPullMessages },
    { notAPullFailure },
    { causeLabel, say },
    terminal,
  ] = await Promise.all([
    import('../diagnosis/classify.js'),
    import('../diagnosis/causes.js'),
    import('../diagnosis/not-a-pull.js'),
    import('../render/text.js'),
    import('../render/terminal.js'),
  ]);
  const result = classify(text);
  if (opts.json) {
    const causes = result.causes.map((c) => ({ id: c.id, confidence: c.confidence }));
    io.out(`${JSON.stringify({ causes })}\n`);
    return;
  }
  const { t } = env;
  const term = io.terminal?.() ?? terminal.PLAIN;
  if (!result.informative) {
    io.out(`${terminal.layout([terminal.row(0, t('causes:classify.unknown'))], term)}\n`);
    return;
  }
  // What the message says happened picks each cause's wording, so that no sentence contradicts it: an image
  // with its registry never gets "a name without a registry goes to Docker Hub", a credentials secret that
  // could not be read never gets "the registry refused the image".
  const params: Params = {};
  if (result.image) params.image = result.image;
  if (result.platform) params.want = result.platform;
  if (result.dialled) params.dialled = result.dialled;
  if (result.step) params.step = result.step;
  // Percentages right-aligned, names in a column; what follows a name wraps under it.
  const percents = result.causes.map((c) => `${Math.round(c.confidence * 100)}%`);
  const pw = Math.max(...percents.map((p) => p.length));
  const column = 2 + pw + 2;
  const rows: Row[] = [terminal.row(0, t('causes:classify.title'))];
  result.causes.forEach((c, i) => {
    rows.push({
      indent: 2,
      mark: `${percents[i]!.padStart(pw)} `,
      text: causeLabel(t, c.id),
      role: 'title',
    });
    // A message about a task that did not fail to pull says what it stopped for, in that kind's words.
    const np =
      c.id === 'not-a-pull-failure'
        ? notAPullFailure({ lastStatus: 'STOPPED', stoppedReason: text }, result)
        : undefined;
    // With several containers, each cause speaks of the image its own words name.
    const image = c.clues?.find((x) => x.kind === 'image')?.text;
    const summary = np
      ? notAPullMessages(np.kind, { reason: text.trim().slice(0, 300) }).summary
      : causeSummary(c.id, image ? { ...params, image } : params);
    rows.push(terminal.row(column, say(t, summary)));
    // Only the words that point at this cause: a timeout is no evidence for the execution role.
    if (c.fragments.length) {
      const fragments = c.fragments.map((f) => `“${f}”`).join(', ');
      rows.push(terminal.row(column, t('causes:classify.fragments', { fragments }), 'muted'));
    }
  });
  if (result.image)
    rows.push(terminal.BLANK, terminal.row(0, t('causes:classify.image', { image: result.image })));
  io.out(`${terminal.layout(rows, term)}\n`);
}
