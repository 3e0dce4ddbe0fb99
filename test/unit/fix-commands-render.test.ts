/**
 * Fix commands as people copy them, in English and Italian: plain lines in the text report (never wrapped or
 * coloured, whatever the terminal), code blocks in Slack that stay within a section's 3,000 characters (split on
 * whole lines, a line too long or unshowable named instead of cut), and a `commands` array on every check of the
 * JSON report.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayScenario } from '../../src/cli/demo.js';
import type { Language } from '../../src/config.js';
import { aws, type FixCommand, shellLine } from '../../src/diagnosis/commands.js';
import type { Report } from '../../src/diagnosis/report.js';
import { translator } from '../../src/i18n.js';
import { LIMITS } from '../../src/render/blockkit.js';
import { renderReply } from '../../src/render/blocks.js';
import { renderJson } from '../../src/render/json.js';
import { commandSections } from '../../src/render/report-blocks.js';
import { commandLines, renderText } from '../../src/render/text.js';
import { blockKitViolations } from '../helpers/slack-blockkit.js';

const dir = join(import.meta.dirname, '..', '..', 'demo', 'scenarios');
const langs: Language[] = ['en', 'it'];
let route: Report;
let ip: Report;

beforeAll(async () => {
  route = await replayScenario('network-no-route', dir);
  ip = await replayScenario('network-no-public-ip', dir);
});

const first = (r: Report, id: string) => r.checks.find((c) => c.id === id)!.commands!;
const TITLE = { en: 'Commands that apply the fix', it: 'Comandi che applicano la correzione' };
const IAC = {
  en: '# In code: AWS::EC2::Route (CloudFormation), aws_route (Terraform)',
  it: '# Nel codice: AWS::EC2::Route (CloudFormation), aws_route (Terraform)',
};

describe('fix commands in the text report', () => {
  for (const lang of langs) {
    it(`under the answer's fix, each on one plain line, with its code hint as a comment (${lang})`, () => {
      const t = translator(lang);
      const line = shellLine(first(route, 'network.route')[0]!);
      const text = renderText(route, t);
      expect(text).toContain(TITLE[lang]);
      expect(text).toContain(`    ${IAC[lang]}\n    ${line}\n`);
      // The answer's commands come right after its fix, before the evidence.
      expect(text.indexOf(line)).toBeLessThan(text.indexOf(lang === 'en' ? '\nWhy' : '\nPerché'));
    });

    it(`never wrapped or coloured on a narrow colour terminal (${lang})`, () => {
      const t = translator(lang);
      const line = shellLine(first(ip, 'network.public-ip')[0]!);
      expect(line.length).toBeGreaterThan(100);
      const text = renderText(ip, t, { color: true, width: 40 });
      const row = text.split('\n').find((l) => l.includes('aws ecs update-service'))!;
      expect(row.trim()).toBe(line);
      expect(row.includes('\u001b[')).toBe(false);
      // Its comments wrap into comment lines; the rest is wrapped and coloured as before.
      for (const l of text.split('\n').filter((x) => x.trimStart().startsWith('#'))) {
        // Within the width, or one word (a Terraform argument) alone after the comment mark.
        if ([...l].length > 40) expect(l.trim()).toMatch(/^# \S+$/);
        expect(l.includes('\u001b[')).toBe(false);
      }
      const iac = text.split('\n').filter((x) => /^ +# /.test(x));
      expect(iac.length).toBeGreaterThan(2);
      expect(text.includes('\u001b[')).toBe(true);
    });
  }

  it('a runner-up cause’s problem shows its commands too', () => {
    const text = renderText(route, translator('en'));
    const endpoints = first(route, 'endpoints.required').map(shellLine);
    for (const l of endpoints) expect(text).toContain(l);
    expect(text).toContain('# In code: AWS::EC2::VPCEndpoint (CloudFormation), aws_vpc_endpoint (Terraform)');
  });

  it('a value to fill in, an account and a caution are comments before their command (en, it)', () => {
    const cmd: FixCommand = {
      pipeline: [
        aws(
          'ec2',
          'create-route',
          { 'route-table-id': 'rtb-1', 'nat-gateway-id': { var: 'NAT_GATEWAY_ID' } },
          'eu-south-1',
        ),
      ],
      fill: [{ name: 'NAT_GATEWAY_ID', what: { key: 'fix:fill.nat-gateway', params: { vpcId: 'vpc-1' } } }],
      note: { key: 'fix:note.delete-route', params: { destination: '0.0.0.0/0', routeTableId: 'rtb-1' } },
      account: '210987654321',
    };
    const en = commandLines(translator('en'), [cmd]).map((l) => l.text);
    expect(en).toEqual([
      '# Run it with credentials of account 210987654321:',
      '# Deletes the 0.0.0.0/0 route of rtb-1: check first what else it carries.',
      '# Set NAT_GATEWAY_ID first: an available public NAT gateway of vpc-1 in a public subnet (none was found: create one with aws ec2 create-nat-gateway)',
      'aws ec2 create-route --route-table-id rtb-1 --nat-gateway-id "$NAT_GATEWAY_ID" --region eu-south-1',
    ]);
    const it = commandLines(translator('it'), [cmd]).map((l) => l.text);
    expect(it[0]).toBe("# Eseguilo con le credenziali dell'account 210987654321:");
    expect(it[2]).toMatch(/^# Imposta prima NAT_GATEWAY_ID: un gateway NAT pubblico disponibile di vpc-1/);
    expect(it[3]).toBe(en[3]);
  });
});

/** The text inside the code blocks of some sections, line by line. */
function codeLines(sections: string[]): string[] {
  return sections.flatMap((s) => [...s.matchAll(/```\n([\s\S]*?)\n```/g)].flatMap((m) => m[1]!.split('\n')));
}

describe('fix commands in Slack', () => {
  for (const lang of langs) {
    it(`a code block after the problem, the command whole and escaped (${lang})`, () => {
      const t = translator(lang);
      const reply = renderReply({ items: [{ kind: 'report', report: route }], more: 0 }, t, lang);
      expect(blockKitViolations(reply)).toEqual([]);
      const texts = reply.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
      const block = texts.find((x) => x.includes(translator(lang)('fix:render.slack-title')))!;
      expect(block).toContain(`*${translator(lang)('fix:render.slack-title')}*`);
      expect(codeLines([block])).toContain(shellLine(first(route, 'network.route')[0]!));
    });
  }

  it('many commands are split into sections of whole lines, each within the limit', () => {
    const many: FixCommand[] = Array.from({ length: 40 }, (_, i) => ({
      pipeline: [
        aws(
          'iam',
          'put-role-policy',
          {
            'role-name': `role-${i}`,
            'policy-name': 'p',
            'policy-document': `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-${'x'.repeat(150)}/${i}<&>"}]}`,
          },
          'eu-south-1',
        ),
      ],
    }));
    for (const lang of langs) {
      const t = translator(lang);
      const sections = commandSections(t, many);
      expect(sections.length).toBeGreaterThan(2);
      for (const s of sections) {
        expect(s.length).toBeLessThanOrEqual(LIMITS.sectionText);
        expect(s.split('```').length % 2, s.slice(0, 80)).toBe(1);
      }
      // Every line once, in order, escaped for Slack and nothing else.
      const expected = commandLines(t, many).map((l) =>
        l.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      );
      expect(codeLines(sections)).toEqual(expected);
    }
  });

  it('a command longer than a section, or with ``` in it, is named instead of cut', () => {
    const long: FixCommand = {
      pipeline: [
        aws(
          'iam',
          'put-role-policy',
          { 'role-name': 'r', 'policy-name': 'p', 'policy-document': `{"x":"${'y'.repeat(4000)}"}` },
          'eu-south-1',
        ),
      ],
    };
    const fenced: FixCommand = {
      pipeline: [
        aws(
          'iam',
          'put-role-policy',
          { 'role-name': 'r', 'policy-name': 'p', 'policy-document': '{"Sid":"```"}' },
          'eu-south-1',
        ),
      ],
    };
    const short: FixCommand = {
      pipeline: [aws('ec2', 'delete-route', { 'route-table-id': 'rtb-1' }, 'eu-south-1')],
    };
    for (const lang of langs) {
      const t = translator(lang);
      const sections = commandSections(t, [long, fenced, short]);
      for (const s of sections) expect(s.length).toBeLessThanOrEqual(LIMITS.sectionText);
      const all = sections.join('\n');
      expect(all).not.toContain('yyyy');
      expect(all).not.toContain('"Sid"');
      expect(codeLines(sections)).toEqual([shellLine(short)]);
      expect(all).toContain(
        t('fix:render.too-long', { chars: shellLine(long).length }).replace(/&/g, '&amp;'),
      );
      expect(all).toContain(t('fix:render.unshowable'));
    }
  });

  it('a problem whose commands find no room says where to get them', () => {
    const t = translator('en');
    const many: FixCommand[] = Array.from({ length: 20 }, (_, i) => ({
      pipeline: [
        aws(
          'iam',
          'put-role-policy',
          {
            'role-name': `r${i}`,
            'policy-name': 'p',
            'policy-document': `{"Statement":"${'z'.repeat(200)}"}`,
          },
          'eu-south-1',
        ),
      ],
    }));
    const crowded: Report = {
      ...route,
      checks: route.checks.map((c) =>
        c.commands ? { ...c, commands: [...c.commands, ...many, ...many] } : c,
      ),
    };
    const reply = renderReply({ items: [{ kind: 'report', report: crowded }], more: 0 }, t, 'en');
    expect(blockKitViolations(reply)).toEqual([]);
    const texts = reply.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
    // More sections than a check may take: none of them, and the sentence; no part of a list is shown.
    expect(texts.find((x) => x.startsWith(':x: *Route to the internet*'))).toContain(t('fix:render.no-room'));
    expect(texts.some((x) => x.includes('put-role-policy'))).toBe(false);
  });
});

describe('fix commands in the JSON report', () => {
  for (const lang of langs) {
    it(`every check has a commands array; each command its shell line and its sentences in ${lang}`, () => {
      const t = translator(lang);
      const json = JSON.parse(renderJson(ip, t, lang));
      for (const c of json.checks) expect(Array.isArray(c.commands), c.id).toBe(true);
      const endpoints = json.checks.find((c: { id: string }) => c.id === 'endpoints.required').commands;
      const expected = first(ip, 'endpoints.required');
      expect(endpoints.map((c: { line: string }) => c.line)).toEqual(expected.map(shellLine));
      expect(endpoints[0].assign).toBe('ENDPOINT_SG');
      expect(endpoints[0].iac).toEqual({
        cloudFormation: 'AWS::EC2::SecurityGroup',
        terraform: 'aws_security_group',
      });
      expect(endpoints[0].pipeline[0].program).toBe('aws');
      const passes = json.checks.filter((c: { status: string }) => c.status === 'pass');
      for (const c of passes) expect(c.commands).toEqual([]);
    });
  }

  it('a note and a value to fill in carry their rendered text', async () => {
    const report = await replayScenario('rate-limit', dir);
    for (const lang of langs) {
      const json = JSON.parse(renderJson(report, translator(lang), lang));
      const cmd = json.checks.find((c: { id: string }) => c.id === 'image.rate-limit').commands[0];
      expect(cmd.fill[0].name).toBe('CREDENTIALS_SECRET_ARN');
      expect(cmd.fill[0].what.text).toContain(
        lang === 'en' ? 'Secrets Manager secret' : 'segreto di Secrets Manager',
      );
    }
  });
});
