/** `ecs-pull classify "<message>"`: the likely causes of a stop message, from the text alone (no AWS access). */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { causeLabel } from '../render/text.js';
import { commandEnv, type GlobalOptions } from './common.js';
import type { Io } from './io.js';

interface ClassifyOptions extends GlobalOptions {
  json?: boolean;
}

/** Registers `classify`. */
export function registerClassify(program: Command, io: Io): void {
  program
    .command('classify')
    .description('Rank the likely causes of a stop message, from its text alone (no AWS access)')
    .argument(
      '<message>',
      'the stoppedReason (and container reasons, one per line), or - to read standard input',
    )
    .option('--json', 'print {"causes":[{"id","confidence"}]}, best first')
    .action(async (message: string, _o: ClassifyOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<ClassifyOptions>();
      const env = commandEnv(opts);
      const text = message === '-' ? await io.readStdin() : message;
      if (!text.trim()) throw new UserError('causes:classify.empty');
      const [{ classify }, { causeSummary, notAPullMessages }, { notAPullFailure }, { say }] =
        await Promise.all([
          import('../diagnosis/classify.js'),
          import('../diagnosis/causes.js'),
          import('../diagnosis/not-a-pull.js'),
          import('../render/text.js'),
        ]);
      const result = classify(text);
      if (opts.json) {
        const causes = result.causes.map((c) => ({ id: c.id, confidence: c.confidence }));
        io.out(`${JSON.stringify({ causes })}\n`);
        return;
      }
      const { t } = env;
      if (!result.informative) {
        io.out(`${t('causes:classify.unknown')}\n`);
        return;
      }
      const lines = [t('causes:classify.title')];
      for (const c of result.causes) {
        lines.push(
          `  ${t('causes:classify.line', { percent: Math.round(c.confidence * 100), name: causeLabel(t, c.id) })}`,
        );
        // A message about a task that did not fail to pull says what it stopped for, in that kind's words.
        const np =
          c.id === 'not-a-pull-failure'
            ? notAPullFailure({ lastStatus: 'STOPPED', stoppedReason: text }, result)
            : undefined;
        const summary = np
          ? notAPullMessages(np.kind, { reason: text.trim().slice(0, 300) }).summary
          : causeSummary(c.id, result.image ? { image: result.image } : {});
        lines.push(`       ${say(t, summary)}`);
        if (c.fragments.length) {
          lines.push(
            `       ${t('causes:classify.fragments', { fragments: c.fragments.map((f) => `“${f}”`).join(', ') })}`,
          );
        }
      }
      if (result.image) lines.push('', t('causes:classify.image', { image: result.image }));
      io.out(`${lines.join('\n')}\n`);
    });
}
