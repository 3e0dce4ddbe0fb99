/** ECR lifecycle rules: which rule could have expired a given tag. */
import type { LifecycleRule } from '../../facts/identity.js';

function matchesPattern(tag: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(tag);
}

/** The highest-priority expire rule whose selection covers a tagged image carrying `tag`. */
export function ruleCovering(
  rules: readonly LifecycleRule[] | undefined,
  tag: string,
): LifecycleRule | undefined {
  return [...(rules ?? [])]
    .sort((a, b) => a.rulePriority - b.rulePriority)
    .find((rule) => {
      const status = (rule.tagStatus ?? 'any').toLowerCase();
      if (status === 'untagged') return false;
      if (status === 'any') return true;
      if (rule.tagPrefixList?.length) return rule.tagPrefixList.some((p) => tag.startsWith(p));
      if (rule.tagPatternList?.length) return rule.tagPatternList.some((p) => matchesPattern(tag, p));
      return false;
    });
}
