/**
 * Checks AWS CLI invocations against the AWS CLI's own service models: botocore's JSON models, from the Python
 * that ships moto (botocore is moto's dependency, so wherever the end-to-end tests run, the models are there).
 * The CLI derives its commands from them: the operation `CreateRoute` is `create-route`, the input member
 * `DestinationCidrBlock` is `--destination-cidr-block` (botocore's xform_name), a boolean member is a switch
 * (`--private-dns-enabled` / `--no-private-dns-enabled`), a list takes several words, a structure one word in
 * shorthand syntax (`Key=value,List=[…],Nested={…}`) or JSON. A few names are the CLI's own (its argrename
 * customization, its global options, `ecr get-login-password`), listed below from awscli's source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Invocation, Word } from '../../src/diagnosis/commands.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}

interface ServiceModel {
  operations: Record<string, { name: string; input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

let dataDir: string | null | undefined;

/** botocore's data directory: in a pyenv Python's site-packages, else where `python3 -c 'import botocore'` says. */
export function botocoreDataDir(): string | undefined {
  if (dataDir !== undefined) return dataDir ?? undefined;
  const roots = [process.env.PYENV_ROOT, join(process.env.HOME ?? '/root', '.pyenv'), '/root/.pyenv'].filter(
    (r): r is string => !!r,
  );
  for (const root of roots) {
    const versions = join(root, 'versions');
    if (!existsSync(versions)) continue;
    for (const v of readdirSync(versions).sort().reverse()) {
      const lib = join(versions, v, 'lib');
      if (!existsSync(lib)) continue;
      for (const py of readdirSync(lib).filter((d) => d.startsWith('python3'))) {
        const dir = join(lib, py, 'site-packages', 'botocore', 'data');
        if (existsSync(join(dir, 'ec2'))) {
          dataDir = dir;
          return dir;
        }
      }
    }
  }
  try {
    const out = execFileSync(
      'python3',
      ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20_000,
      },
    ).trim();
    if (out && existsSync(join(out, 'data', 'ec2'))) {
      dataDir = join(out, 'data');
      return dataDir;
    }
  } catch {
    // no python3 with botocore
  }
  dataDir = null;
  return undefined;
}

/**
 * The models' directory, or undefined when they are missing; with ECS_PULL_REQUIRE_MOTO=1 (CI) a missing model
 * fails instead of skipping.
 */
export function modelsOrSkip(): string | undefined {
  const dir = botocoreDataDir();
  if (!dir && process.env.ECS_PULL_REQUIRE_MOTO === '1')
    throw new Error('ECS_PULL_REQUIRE_MOTO=1 but botocore (the AWS CLI service models) was not found');
  return dir;
}

const models = new Map<string, ServiceModel>();

/** A service's model: the newest API version botocore has. */
export function serviceModel(service: string): ServiceModel {
  const cached = models.get(service);
  if (cached) return cached;
  const dir = join(botocoreDataDir()!, service);
  if (!existsSync(dir)) throw new Error(`no botocore model for service ${service}`);
  const version = readdirSync(dir)
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
    .sort()
    .pop()!;
  const base = join(dir, version, 'service-2.json');
  const text = existsSync(base)
    ? readFileSync(base, 'utf8')
    : gunzipSync(readFileSync(`${base}.gz`)).toString('utf8');
  const model = JSON.parse(text) as ServiceModel;
  models.set(service, model);
  return model;
}

/** botocore's xform_name(name, '-'): CreateRoute → create-route, CidrBlock → cidr-block, ARNs → arns. */
export function xformName(name: string): string {
  if (name.includes('-')) return name;
  let n = name;
  const special = /[A-Z]{2,}s$/.exec(n);
  if (special) n = `${n.slice(0, -special[0].length)}-${special[0].toLowerCase()}`;
  n = n.replace(/(.)([A-Z][a-z]+)/g, '$1-$2');
  return n.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** awscli/customizations/argrename.py: CLI names that replace a model's (those of the services used here). */
const RENAMES: Record<string, Record<string, string>> = {
  ec2: { 'no-egress': 'ingress', 'no-disable-api-termination': 'enable-api-termination' },
  ecs: { 'no-enable-execute-command': 'disable-execute-command' },
};

/** Options every command takes (awscli/data/cli.json) and the CLI's own per-command ones. */
const GLOBAL_OPTIONS: Record<string, { values?: string[] }> = {
  region: {},
  query: {},
  output: { values: ['json', 'text', 'table', 'yaml', 'yaml-stream'] },
  profile: {},
  'endpoint-url': {},
  'cli-input-json': {},
  'cli-input-yaml': {},
};

/** Commands the CLI adds that are no API operation: their own options. */
const CUSTOM_COMMANDS: Record<string, string[]> = { 'ecr get-login-password': [] };

/** What is wrong with an invocation (empty: nothing). */
export function validateInvocation(inv: Invocation): string[] {
  if (inv.program !== 'aws') return [`not an aws invocation: ${inv.program}`];
  const words = inv.args;
  const [service, operation] = words;
  if (typeof service !== 'string' || typeof operation !== 'string') return ['no service and operation'];
  const where = `aws ${service} ${operation}`;
  const problems: string[] = [];
  const custom = CUSTOM_COMMANDS[`${service} ${operation}`];
  const model = serviceModel(service);
  const op = custom
    ? undefined
    : Object.values(model.operations).find((o) => xformName(o.name) === operation);
  if (!custom && !op) return [`${where}: no such operation in botocore's ${service} model`];
  const input = op?.input ? model.shapes[op.input.shape] : { type: 'structure', members: {}, required: [] };
  // The CLI's options: every input member by its CLI name (booleans as --x / --no-x), renamed where the CLI does.
  const options = new Map<string, { member: string; flag?: boolean }>();
  for (const [member, ref] of Object.entries(input!.members ?? {})) {
    const cli = xformName(member);
    if (model.shapes[ref.shape]!.type === 'boolean') {
      options.set(cli, { member, flag: true });
      options.set(`no-${cli}`, { member, flag: true });
    } else options.set(cli, { member });
  }
  for (const [from, to] of Object.entries(RENAMES[service] ?? {})) {
    const o = options.get(from);
    if (!o) continue;
    options.delete(from);
    options.set(to, o);
  }
  const given = new Set<string>();
  let fromFile = false;
  let i = 2;
  while (i < words.length) {
    const w = words[i];
    if (typeof w !== 'string' || !w.startsWith('--')) {
      problems.push(`${where}: ${JSON.stringify(w)} where an option was expected`);
      i++;
      continue;
    }
    const name = w.slice(2);
    const values: Word[] = [];
    i++;
    while (i < words.length && !(typeof words[i] === 'string' && (words[i] as string).startsWith('--')))
      values.push(words[i++]!);
    if (GLOBAL_OPTIONS[name]) {
      if (values.length !== 1) problems.push(`${where}: --${name} takes one value`);
      const allowed = GLOBAL_OPTIONS[name]!.values;
      if (allowed && !allowed.includes(String(values[0]))) problems.push(`${where}: --${name} ${values[0]}`);
      if (name === 'cli-input-json') fromFile = true;
      continue;
    }
    const option = options.get(name);
    if (!option) {
      problems.push(`${where}: unknown option --${name}`);
      continue;
    }
    if (given.has(option.member)) problems.push(`${where}: ${option.member} given twice`);
    given.add(option.member);
    const ref = input!.members![option.member]!;
    if (option.flag) {
      if (values.length) problems.push(`${where}: --${name} is a switch, given ${values.length} value(s)`);
      continue;
    }
    problems.push(...checkValues(model, ref.shape, values, `${where} --${name}`));
  }
  if (!fromFile)
    for (const req of input!.required ?? [])
      if (!given.has(req)) problems.push(`${where}: required ${req} (--${xformName(req)}) is missing`);
  return problems;
}

/** The words given to one option, against its shape. */
function checkValues(model: ServiceModel, shapeName: string, values: Word[], where: string): string[] {
  const shape = model.shapes[shapeName]!;
  if (!values.length) return [`${where}: no value`];
  if (shape.type === 'list') {
    const member = model.shapes[shape.member!.shape]!;
    // A list of structures: a shorthand word per structure, or the whole list as JSON.
    if (values.length === 1 && typeof values[0] === 'string' && values[0].trim().startsWith('[')) {
      return checkParsed(model, shapeName, parseJson(values[0], where), where);
    }
    return values.flatMap((v, n) =>
      member.type === 'structure' || member.type === 'map'
        ? checkParsed(model, shape.member!.shape, parseStructureWord(v, where), `${where}[${n}]`)
        : checkScalarWord(model, shape.member!.shape, v, `${where}[${n}]`),
    );
  }
  if (values.length !== 1) return [`${where}: ${values.length} values for a ${shape.type}`];
  if (shape.type === 'structure' || shape.type === 'map')
    return checkParsed(model, shapeName, parseStructureWord(values[0]!, where), where);
  return checkScalarWord(model, shapeName, values[0]!, where);
}

function checkScalarWord(model: ServiceModel, shapeName: string, w: Word, where: string): string[] {
  const shape = model.shapes[shapeName]!;
  if (typeof w !== 'string')
    return shape.type === 'string' ? [] : [`${where}: a variable for a ${shape.type}`];
  return checkParsed(model, shapeName, w, where);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new Error(`${where}: not JSON: ${text}`);
  }
}

/** A structure's word: JSON when it starts with { or [, else the CLI's shorthand syntax. */
function parseStructureWord(w: Word, where: string): unknown {
  if (typeof w !== 'string') return new Error(`${where}: a variable where a structure is expected`);
  const text = w.trim();
  if (text.startsWith('{') || text.startsWith('[')) return parseJson(text, where);
  try {
    return parseShorthand(text);
  } catch (err) {
    return new Error(`${where}: shorthand ${text}: ${(err as Error).message}`);
  }
}

/** A parsed value (JSON or shorthand: shorthand scalars are strings) against a shape. */
function checkParsed(model: ServiceModel, shapeName: string, v: unknown, where: string): string[] {
  if (v instanceof Error) return [v.message];
  const shape = model.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${where}: not a structure`];
      const o = v as Record<string, unknown>;
      const out: string[] = [];
      for (const [k, x] of Object.entries(o)) {
        const ref = shape.members?.[k];
        if (!ref) out.push(`${where}: ${k} is not a member of ${shapeName}`);
        else out.push(...checkParsed(model, ref.shape, x, `${where}.${k}`));
      }
      for (const req of shape.required ?? []) if (!(req in o)) out.push(`${where}: required ${req} missing`);
      return out;
    }
    case 'map':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${where}: not a map`];
      return Object.values(v as Record<string, unknown>).flatMap((x) =>
        checkParsed(model, shape.value!.shape, x, where),
      );
    case 'list': {
      // The CLI's shorthand takes a single value where a list is expected.
      const list = Array.isArray(v) ? v : [v];
      return list.flatMap((x, n) => checkParsed(model, shape.member!.shape, x, `${where}[${n}]`));
    }
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(String(v)) ? [] : [`${where}: ${JSON.stringify(v)} is not an integer`];
    case 'boolean':
      return v === true || v === false || v === 'true' || v === 'false'
        ? []
        : [`${where}: ${JSON.stringify(v)} is not a boolean`];
    case 'string':
      if (typeof v !== 'string') return [`${where}: ${JSON.stringify(v)} is not a string`];
      if (shape.enum && !shape.enum.includes(v))
        return [`${where}: ${v} is not one of ${shape.enum.join(', ')}`];
      return [];
    default:
      return [];
  }
}

/**
 * The AWS CLI's shorthand syntax (awscli/shorthand.py): `key=value,key=[v,v],key={k=v},key=v1,v2` (a comma
 * list continues until the next `key=`); values are strings, as the CLI reads them before the model converts.
 */
export function parseShorthand(text: string): Record<string, unknown> {
  let i = 0;
  const KEY = /^[A-Za-z0-9_.#/:-]+/;
  const fail = (why: string) => {
    throw new Error(`${why} at ${i}`);
  };
  const keyval = (): [string, unknown] => {
    const m = KEY.exec(text.slice(i));
    if (!m) fail('no key');
    i += m![0].length;
    if (text[i] !== '=') fail('no =');
    i++;
    return [m![0], value(true)];
  };
  const scalar = (stops: string) => {
    if (text[i] === '"' || text[i] === "'") {
      const q = text[i]!;
      const end = text.indexOf(q, i + 1);
      if (end < 0) fail('unterminated quote');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    let s = '';
    while (i < text.length && !stops.includes(text[i]!)) s += text[i++];
    return s.trim();
  };
  const value = (top: boolean): unknown => {
    if (text[i] === '[') {
      i++;
      const out: unknown[] = [];
      while (text[i] !== ']') {
        if (i >= text.length) fail('unterminated [');
        out.push(text[i] === '{' ? hash() : scalar(',]'));
        if (text[i] === ',') i++;
      }
      i++;
      return out;
    }
    if (text[i] === '{') return hash();
    const first = scalar(top ? ',' : ',}]');
    if (!top) return first;
    // A comma list: values until the next key=.
    const list = [first];
    while (text[i] === ',' && !/^[A-Za-z0-9_.#/:-]+=/.test(text.slice(i + 1))) {
      i++;
      list.push(scalar(','));
    }
    return list.length === 1 ? first : list;
  };
  const hash = (): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    while (text[i] !== '}') {
      if (i >= text.length) fail('unterminated {');
      const m = KEY.exec(text.slice(i));
      if (!m) fail('no key');
      i += m![0].length;
      if (text[i] !== '=') fail('no =');
      i++;
      out[m![0]] = value(false);
      if (text[i] === ',') i++;
    }
    i++;
    return out;
  };
  const out: Record<string, unknown> = {};
  while (i < text.length) {
    const [k, v] = keyval();
    if (k in out) fail(`second ${k}`);
    out[k] = v;
    if (i < text.length) {
      if (text[i] !== ',') fail('expected ,');
      i++;
    }
  }
  return out;
}

/** Policy documents among an invocation's values (IAM, ECR, EFS policies): each must be a policy as JSON. */
export function policyProblems(inv: Invocation): string[] {
  const out: string[] = [];
  const names = ['--policy-document', '--assume-role-policy-document', '--policy-text', '--policy'];
  inv.args.forEach((w, n) => {
    if (typeof w !== 'string' || !names.includes(w)) return;
    const doc = parseJson(String(inv.args[n + 1]), w) as { Version?: string; Statement?: unknown[] };
    if (doc instanceof Error) out.push(doc.message);
    else if (doc.Version !== '2012-10-17' || !Array.isArray(doc.Statement) || !doc.Statement.length)
      out.push(`${w}: not a policy document`);
  });
  return out;
}

/** A value given whole with --cli-input-json (a task definition file), against the operation's input shape. */
export function validateCliInput(service: string, operation: string, value: unknown): string[] {
  const model = serviceModel(service);
  const op = Object.values(model.operations).find((o) => xformName(o.name) === operation);
  if (!op?.input) return [`aws ${service} ${operation}: no such operation`];
  return checkParsed(model, op.input.shape, value, `aws ${service} ${operation} --cli-input-json`);
}
