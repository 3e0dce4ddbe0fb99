/** Reads CloudFormation YAML (with its short-form intrinsic tags) into plain objects. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type Tags } from 'yaml';

const scalar = (tag: string, key: string) => ({
  tag,
  resolve: (value: string) => ({ [key]: key === 'Fn::GetAtt' ? value.split('.') : value }),
});
const seq = (tag: string, key: string) => ({
  tag,
  collection: 'seq' as const,
  resolve: (value: unknown) => ({ [key]: (value as { toJSON(): unknown }).toJSON() }),
});

const customTags: Tags = [
  scalar('!Ref', 'Ref'),
  scalar('!Sub', 'Fn::Sub'),
  scalar('!GetAtt', 'Fn::GetAtt'),
  scalar('!ImportValue', 'Fn::ImportValue'),
  seq('!Sub', 'Fn::Sub'),
  seq('!If', 'Fn::If'),
  seq('!Not', 'Fn::Not'),
  seq('!Equals', 'Fn::Equals'),
  seq('!Join', 'Fn::Join'),
  seq('!Select', 'Fn::Select'),
];

export const deployDir = join(import.meta.dirname, '..', '..', 'deploy');

/** A template of deploy/ as a plain object (free-form JSON: tests walk it by name). */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are free-form documents
export function readTemplate(name: string): Record<string, any> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return parse(readFileSync(join(deployDir, name), 'utf8'), { customTags }) as Record<string, any>;
}

/** The template text, for CreateStack. */
export function templateBody(name: string): string {
  return readFileSync(join(deployDir, name), 'utf8');
}
