/**
 * The command line's commands, options and help, in the user's language (locales/<lang>/cli.json): commander parses,
 * each command's help shows its options, the global ones, a few examples and the exit codes. Building it loads
 * nothing but commander and the words: each command's work is in its own module (why.ts, service.ts, check.ts,
 * classify.ts, demo.ts, doctor.ts), imported when that command runs, so that `classify` never loads the AWS SDK and `why` loads it only
 * once its input is valid.
 */
import { Command, Help } from 'commander';
import type { TFunction } from 'i18next';
import type { CommandContext } from './common.js';

/** The scenarios `demo` and `demo --check` show when none is named (demo.ts says why). */
const DEFAULT_SCENARIO = 'network-no-route';
const DEFAULT_CHECK_SCENARIO = 'image-not-found';

interface CommandHelp {
  /** Command lines, each with the key of its one-line explanation. */
  examples: Array<[string, string]>;
  /** Exit codes, each with the key of its meaning. */
  exits: Array<[number, string]>;
}

const HELP: Record<string, CommandHelp> = {
  why: {
    examples: [
      [
        'ecs-pull why arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b --profile payments-oncall',
        'cli:why.example.arn',
      ],
      [
        'ecs-pull why 3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b --cluster payments --region eu-south-1 --watch',
        'cli:why.example.id',
      ],
      [
        'ecs-pull why task/payments/3f9d2b1c8e7a4d6f9b0c1a2e3d4f5a6b --lang it --json > report.json',
        'cli:why.example.json',
      ],
    ],
    exits: [
      [0, 'cli:exit.diagnosis'],
      [4, 'cli:exit.watch-failing'],
      [2, 'cli:exit.refused-why'],
      [3, 'cli:exit.unreadable'],
      [1, 'cli:exit.internal'],
    ],
  },
  service: {
    examples: [
      ['ecs-pull service shop/checkout --profile payments-oncall --watch', 'cli:service.example.name'],
      [
        'ecs-pull service arn:aws:ecs:eu-south-1:210987654321:service/shop/checkout --json',
        'cli:service.example.arn',
      ],
      [
        'ecs-pull service checkout --cluster shop --region eu-south-1 --lang it',
        'cli:service.example.cluster',
      ],
    ],
    exits: [
      [0, 'cli:exit.service'],
      [4, 'cli:exit.service-watch-failing'],
      [2, 'cli:exit.refused-service'],
      [3, 'cli:exit.unreadable-service'],
      [1, 'cli:exit.internal'],
    ],
  },
  check: {
    examples: [
      ['ecs-pull check --service shop/checkout --task-definition checkout:42', 'cli:check.example.service'],
      [
        'ecs-pull check --task-definition checkout:42 --subnets subnet-0a1b2c3d4e5f67890 --security-groups sg-0c1d2e3f4a5b6c7d8',
        'cli:check.example.network',
      ],
      ['ecs-pull check --service shop/checkout --json --save-facts preflight.json', 'cli:check.example.json'],
    ],
    exits: [
      [0, 'cli:exit.check-ok'],
      [4, 'cli:exit.check-fails'],
      [2, 'cli:exit.refused-check'],
      [3, 'cli:exit.unreadable-check'],
      [1, 'cli:exit.internal'],
    ],
  },
  replay: {
    examples: [
      ['ecs-pull replay facts.json', 'cli:replay.example.text'],
      ['ecs-pull replay facts.json --json', 'cli:replay.example.json'],
    ],
    exits: [
      [0, 'cli:exit.report'],
      [2, 'cli:exit.refused-file'],
      [1, 'cli:exit.internal'],
    ],
  },
  classify: {
    examples: [
      [
        'ecs-pull classify "CannotPullContainerError: … dial tcp 3.5.1.2:443: i/o timeout"',
        'cli:classify.example.text',
      ],
      ['ecs-pull classify - --json < stopped-reason.txt', 'cli:classify.example.stdin'],
    ],
    exits: [
      [0, 'cli:exit.causes'],
      [2, 'cli:exit.refused-input'],
      [1, 'cli:exit.internal'],
    ],
  },
  demo: {
    examples: [
      ['ecs-pull demo', 'cli:demo.example.default'],
      ['ecs-pull demo kms --lang it', 'cli:demo.example.one'],
      ['ecs-pull demo --check', 'cli:demo.example.check'],
    ],
    exits: [
      [0, 'cli:exit.demo'],
      [2, 'cli:exit.refused-demo'],
      [1, 'cli:exit.internal'],
    ],
  },
  doctor: {
    examples: [
      ['ecs-pull doctor --config config.yml --account 210987654321', 'cli:doctor.example.config'],
      ['ecs-pull doctor --profile payments-oncall --json', 'cli:doctor.example.profile'],
    ],
    exits: [
      [0, 'cli:exit.doctor-ok'],
      [1, 'cli:exit.doctor-failed'],
      [2, 'cli:exit.refused-config'],
    ],
  },
  'ecs-pull': {
    examples: [
      ['ecs-pull why arn:aws:ecs:eu-south-1:210987654321:task/payments/3f9d2b1c…', 'cli:top.example.why'],
      ['ecs-pull demo --lang it', 'cli:top.example.demo'],
      ['ecs-pull why --help', 'cli:top.example.help'],
    ],
    exits: [
      [0, 'cli:exit.top-ok'],
      [2, 'cli:exit.top-refused'],
      [3, 'cli:exit.top-unreadable'],
      [4, 'cli:exit.top-would-fail'],
      [1, 'cli:exit.top-internal'],
    ],
  },
};

/** `text` in lines of at most `width` columns (broken at spaces), each after `indent` spaces but the first's `lead`. */
function wrap(lead: string, indent: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(' ')) {
    const next = line.endsWith(' ') ? `${line}${word}` : `${line} ${word}`;
    if (next.length > width && line.trim()) {
      lines.push(line);
      line = `${' '.repeat(indent)}${word}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/** The text after a command's options: its examples (each with what it does) and its exit codes. */
function helpAfter(t: TFunction, name: string, styleTitle: (s: string) => string, width: number): string {
  const h = HELP[name];
  if (!h) return '';
  const lines = ['', styleTitle(t('cli:heading.examples'))];
  for (const [command, key] of h.examples) lines.push(`  ${command}`, ...wrap('      ', 6, t(key), width));
  lines.push('', styleTitle(t('cli:heading.exitCodes')));
  for (const [code, key] of h.exits) lines.push(...wrap(`  ${code}  `, 5, t(key), width));
  return lines.join('\n');
}

/** Builds the program; `ctx` is what the commands report back to the runner (exit code, language). */
export function buildProgram(ctx: CommandContext, t: TFunction, version: string): Command {
  const headings: Record<string, string> = {
    'Usage:': t('cli:heading.usage'),
    'Arguments:': t('cli:heading.arguments'),
    'Options:': t('cli:heading.options'),
    'Global Options:': t('cli:heading.globalOptions'),
    'Commands:': t('cli:heading.commands'),
  };
  const styleTitle = (s: string) => headings[s] ?? s;
  const io = ctx.io;
  const width = () => io.terminal?.().width ?? 100;
  // The usage line's placeholders in the user's words too: `[opzioni]`, `[comando]`.
  const placeholders: Record<string, string> = {
    '[options]': `[${t('cli:usage.options')}]`,
    '[command]': `[${t('cli:usage.command')}]`,
  };
  const localize = (usage: string) =>
    usage
      .split(' ')
      .map((w) => placeholders[w] ?? w)
      .join(' ');
  const commandUsage = (cmd: Command) => localize(Help.prototype.commandUsage.call(new Help(), cmd));
  const subcommandTerm = (cmd: Command) => localize(Help.prototype.subcommandTerm.call(new Help(), cmd));
  const program = new Command('ecs-pull')
    .description(t('cli:program'))
    .version(version, '-V, --version', t('cli:option.version'))
    .option('--lang <lang>', t('cli:option.lang'))
    .option('--config <file>', t('cli:option.config'))
    .helpOption('-h, --help', t('cli:option.help'))
    .helpCommand('help [command]', t('cli:option.helpCommand'))
    .configureHelp({
      showGlobalOptions: true,
      styleTitle,
      commandUsage,
      subcommandTerm,
    } satisfies Partial<Help>)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: () => {},
      getOutHelpWidth: width,
    });
  program.addHelpText('after', () => helpAfter(t, 'ecs-pull', styleTitle, width()));

  /** A subcommand with the help option in the user's words, its examples and exit codes. */
  const command = (name: string) => {
    const cmd = program
      .command(name)
      .helpOption('-h, --help', t('cli:option.help'))
      .addHelpText('after', () => helpAfter(t, name, styleTitle, width()));
    // Which command an argument error came from: its help is the one to point at.
    cmd.exitOverride((err) => {
      throw Object.assign(err, { commandName: name });
    });
    return cmd;
  };

  command('why')
    .description(t('cli:why.description'))
    .argument('<task>', t('cli:why.task'))
    .option('--cluster <name>', t('cli:why.cluster'))
    .option('--region <region>', t('cli:why.region'))
    .option('--account <id>', t('cli:why.account'))
    .option('--profile <name>', t('cli:why.profile'))
    .option('--role-arn <arn>', t('cli:why.roleArn'))
    .option('--external-id <id>', t('cli:why.externalId'))
    .option('--event <file>', t('cli:why.event'))
    .option('--service <name>', t('cli:why.service'))
    .option('--json', t('cli:option.json'))
    .option('--save-facts <file>', t('cli:why.saveFacts'))
    .option('--watch', t('cli:why.watch'))
    .option('--watch-interval <time>', t('cli:why.watchInterval'))
    .option('--watch-for <time>', t('cli:why.watchFor'))
    .action(async (task: string, _o: unknown, cmd: Command) => {
      const { why } = await import('./why.js');
      await why(task, cmd.optsWithGlobals(), ctx);
    });

  command('service')
    .description(t('cli:service.description'))
    .argument('<service>', t('cli:service.service'))
    .option('--cluster <name>', t('cli:service.cluster'))
    .option('--region <region>', t('cli:service.region'))
    .option('--account <id>', t('cli:service.account'))
    .option('--profile <name>', t('cli:why.profile'))
    .option('--role-arn <arn>', t('cli:service.roleArn'))
    .option('--external-id <id>', t('cli:why.externalId'))
    .option('--json', t('cli:service.json'))
    .option('--watch', t('cli:service.watch'))
    .option('--watch-interval <time>', t('cli:service.watchInterval'))
    .option('--watch-for <time>', t('cli:why.watchFor'))
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { service } = await import('./service.js');
      await service(ref, cmd.optsWithGlobals(), ctx);
    });

  command('check')
    .description(t('cli:check.description'))
    .option('--service <service>', t('cli:check.service'))
    .option('--cluster <name>', t('cli:check.cluster'))
    .option('--task-definition <td>', t('cli:check.taskDefinition'))
    .option('--subnets <ids>', t('cli:check.subnets'))
    .option('--security-groups <ids>', t('cli:check.securityGroups'))
    .option('--assign-public-ip', t('cli:check.assignPublicIp'))
    .option('--region <region>', t('cli:check.region'))
    .option('--account <id>', t('cli:check.account'))
    .option('--profile <name>', t('cli:why.profile'))
    .option('--role-arn <arn>', t('cli:check.roleArn'))
    .option('--external-id <id>', t('cli:why.externalId'))
    .option('--json', t('cli:option.json'))
    .option('--save-facts <file>', t('cli:why.saveFacts'))
    .action(async (_o: unknown, cmd: Command) => {
      const { check } = await import('./check.js');
      await check(cmd.optsWithGlobals(), ctx);
    });

  command('replay')
    .description(t('cli:replay.description'))
    .argument('<file>', t('cli:replay.file'))
    .option('--json', t('cli:option.json'))
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const { replay } = await import('./why.js');
      await replay(file, cmd.optsWithGlobals(), ctx);
    });

  command('classify')
    .description(t('cli:classify.description'))
    .argument('<message>', t('cli:classify.message'))
    .option('--json', t('cli:classify.json'))
    .action(async (message: string, _o: unknown, cmd: Command) => {
      const { classifyCommand } = await import('./classify.js');
      await classifyCommand(message, cmd.optsWithGlobals(), ctx);
    });

  command('demo')
    .description(t('cli:demo.description'))
    .argument('[scenario]', t('cli:demo.scenario', { scenario: DEFAULT_SCENARIO }))
    .option('--list', t('cli:demo.list'))
    .option('--check', t('cli:demo.check', { scenario: DEFAULT_CHECK_SCENARIO }))
    .option('--json', t('cli:demo.json'))
    .action(async (scenario: string | undefined, _o: unknown, cmd: Command) => {
      const { demo } = await import('./demo.js');
      await demo(scenario, cmd.optsWithGlobals(), ctx);
    });

  command('doctor')
    .description(t('cli:doctor.description'))
    .option('--account <id...>', t('cli:doctor.account'))
    .option('--region <region>', t('cli:doctor.region'))
    .option('--profile <name>', t('cli:doctor.profile'))
    .option('--json', t('cli:doctor.json'))
    .action(async (_o: unknown, cmd: Command) => {
      const { doctor } = await import('./doctor.js');
      await doctor(cmd.optsWithGlobals(), ctx);
    });

  return program;
}
