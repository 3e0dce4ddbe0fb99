/**
 * Fix commands: the AWS CLI commands that apply a failing check's remediation, filled in with the ids the check
 * found. They are data (program and words), never run by ecs-pull: every surface shows them for a person to copy,
 * and `shellLine` writes them for a POSIX shell, quoting every value so that nothing AWS returns can break out of
 * its word.
 */
import type { Message } from './checks/types.js';

/** One word of a command: literal text, or a shell variable ("$NAME") an earlier command sets or the reader fills in. */
export type Word = string | { var: string };

/** A program and its words (for `aws`, the first two are the service and the operation: `ec2 create-route`). */
export interface Invocation {
  program: 'aws' | 'docker' | 'jq';
  args: Word[];
}

/** Where the resource a command changes is usually written in code: the CloudFormation type and property, the Terraform resource and argument. */
export interface IacHint {
  /** `AWS::EC2::Route`, or a property of it: `AWS::ECS::Service NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp`. */
  cloudFormation: string;
  /** `aws_route`, or an argument of it: `aws_ecs_service.network_configuration.assign_public_ip`. */
  terraform: string;
}

/** A value the reader sets before running the command (no id was found for it): the variable and what to put there. */
export interface FillIn {
  name: string;
  what: Message;
}

export interface FixCommand {
  /** The command, then the commands its output is piped into. */
  pipeline: Invocation[];
  /** `NAME=$(…)`: its output is kept in a shell variable for the commands after it. */
  assign?: string | undefined;
  /** `> FILE`: its output is written to a file in the current directory. */
  output?: string | undefined;
  /** Variables the reader sets first. */
  fill?: FillIn[] | undefined;
  /** A caution said with it (it replaces a policy, starts a new task …). */
  note?: Message | undefined;
  /** Where this resource is usually defined in code. */
  iac?: IacHint | undefined;
  /** The account to run it in, when it is not the task's (a repository in a registry account). */
  account?: string | undefined;
}

const VAR_NAME = /^[A-Z][A-Z0-9_]*$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Characters a POSIX shell reads as themselves in an unquoted word (no glob, expansion, comment or operator). */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A variable word, checked: only names a shell takes as they are. */
export function shellVar(name: string): Word {
  if (!VAR_NAME.test(name)) throw new Error(`not a shell variable name: ${name}`);
  return { var: name };
}

/** One word for a POSIX shell: bare when it is safe as it is, else in single quotes (a quote inside as '\''). */
export function shellWord(w: Word): string {
  if (typeof w !== 'string') {
    if (!VAR_NAME.test(w.var)) throw new Error(`not a shell variable name: ${w.var}`);
    return `"$${w.var}"`;
  }
  if (BARE.test(w) && !w.startsWith('=')) return w;
  return `'${w.replaceAll("'", `'\\''`)}'`;
}

/** The command as one line for a POSIX shell (sh, bash, zsh). */
export function shellLine(c: FixCommand): string {
  const pipeline = c.pipeline.map((i) => [i.program, ...i.args].map(shellWord).join(' ')).join(' | ');
  if (c.assign) {
    if (!VAR_NAME.test(c.assign)) throw new Error(`not a shell variable name: ${c.assign}`);
    return `${c.assign}=$(${pipeline})`;
  }
  if (c.output) {
    if (!FILE_NAME.test(c.output)) throw new Error(`not a plain file name: ${c.output}`);
    return `${pipeline} > ${c.output}`;
  }
  return pipeline;
}

/** A parameter's value: words (one or several), or a boolean switch (`--flag` / `--no-flag`). */
export type ParamValue = Word | readonly Word[] | boolean;

/**
 * An AWS CLI invocation: `aws SERVICE OPERATION --param value … --region REGION`. Parameters whose value is
 * undefined are left out; true writes `--name`, false `--no-name`; a list writes its words one after another.
 */
export function aws(
  service: string,
  operation: string,
  params: Record<string, ParamValue | undefined>,
  region: string,
): Invocation {
  const args: Word[] = [service, operation];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (value === true) args.push(`--${name}`);
    else if (value === false) args.push(`--no-${name}`);
    else if (Array.isArray(value)) args.push(`--${name}`, ...(value as Word[]));
    else args.push(`--${name}`, value as Word);
  }
  args.push('--region', region);
  return { program: 'aws', args };
}

/** A value safe inside the AWS CLI's shorthand syntax (`Key=value,…`): ids, CIDRs, numbers, enum values. */
const SHORTHAND_SAFE = /^[A-Za-z0-9_./:-]+$/;

/**
 * A structure in the AWS CLI's shorthand syntax (`IpProtocol=tcp,FromPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]`) when
 * every value is plain, else as JSON (which needs no escaping rules of its own).
 */
export function shorthand(value: Record<string, unknown>): string {
  const plain = (v: unknown): boolean =>
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    (typeof v === 'string' && SHORTHAND_SAFE.test(v)) ||
    (Array.isArray(v) && v.length > 0 && v.every(plain)) ||
    (typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.values(v as Record<string, unknown>).every(plain));
  if (!plain(value)) return JSON.stringify(value);
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (typeof v === 'object' && v !== null) return `{${fields(v as Record<string, unknown>)}}`;
    return String(v);
  };
  const fields = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${write(v)}`)
      .join(',');
  return fields(value);
}

/**
 * A list of structures for one parameter (`--ip-permissions`, `--dhcp-configurations`): one shorthand word per
 * structure when all are plain, else the whole list as one JSON word.
 */
export function structures(list: ReadonlyArray<Record<string, unknown>>): string[] {
  const words = list.map(shorthand);
  return words.some((w) => w.startsWith('{')) ? [JSON.stringify(list)] : words;
}

/** Every aws invocation of a list of commands (pipelines included), for tests and counts. */
export function awsInvocations(commands: readonly FixCommand[]): Invocation[] {
  return commands.flatMap((c) => c.pipeline.filter((i) => i.program === 'aws'));
}
