/**
 * ECR lifecycle rules evaluated the way ECR applies them: rules in priority order (lowest number first), an image
 * belongs to the first rule whose tag selection it meets (a lower-priority rule can never expire it), and a rule
 * listing several prefixes or patterns selects only images that carry a tag for every one of them.
 */
import type { LifecycleRule, TaggedImage } from '../../facts/ecr.js';

function matchesPattern(tag: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(tag);
}

function entries(rule: LifecycleRule): { list: string[]; match: (tag: string, entry: string) => boolean } {
  if (rule.tagPrefixList?.length)
    return { list: rule.tagPrefixList, match: (tag, prefix) => tag.startsWith(prefix) };
  return { list: rule.tagPatternList ?? [], match: matchesPattern };
}

/** How far a set of tags meets a rule's tag selection: all of it, part of it (a tagged rule's list), or none. */
export function tagSelection(rule: LifecycleRule, tags: readonly string[]): 'all' | 'part' | 'none' {
  const status = (rule.tagStatus ?? 'any').toLowerCase();
  if (status === 'untagged') return tags.length ? 'none' : 'all';
  if (status === 'any') return 'all';
  if (!tags.length) return 'none';
  const { list, match } = entries(rule);
  if (!list.length) return 'none';
  const met = list.filter((e) => tags.some((t) => match(t, e))).length;
  return met === list.length ? 'all' : met > 0 ? 'part' : 'none';
}

export interface LifecycleVerdict {
  rule: LifecycleRule;
  /**
   * certain: the tag alone meets the rule's selection; possible: it meets part of a multi-entry list, so the rule
   * took the image only if that image also carried tags for the other entries.
   */
  certainty: 'certain' | 'possible';
  /** The rule deletes (expire) or moves to the archive (transition), where an image cannot be pulled. */
  effect: 'expire' | 'archive';
  /** imageCountMoreThan: the repository's current images the rule selects (none claimed by an earlier rule). */
  selectedNow?: number;
  /** imageCountMoreThan: the rule holds its maximum now, so every older image it selects has been removed. */
  atLimit?: boolean;
}

/**
 * The rule that could have removed an image tagged `tag`: the first rule, in priority order, whose tag selection
 * the tag meets; with a count rule, how many of the repository's current images it keeps.
 */
export function lifecycleVerdict(
  rules: readonly LifecycleRule[] | undefined,
  tag: string,
  images: readonly TaggedImage[] = [],
): LifecycleVerdict | undefined {
  const ordered = [...(rules ?? [])]
    .filter((r) => (r.storageClass ?? 'standard').toLowerCase() === 'standard')
    .sort((a, b) => a.rulePriority - b.rulePriority);
  const index = ordered.findIndex((r) => tagSelection(r, [tag]) !== 'none');
  if (index < 0) return undefined;
  const rule = ordered[index]!;
  const verdict: LifecycleVerdict = {
    rule,
    certainty: tagSelection(rule, [tag]) === 'all' ? 'certain' : 'possible',
    effect: (rule.action ?? 'expire').toLowerCase() === 'transition' ? 'archive' : 'expire',
  };
  if (rule.countType === 'imageCountMoreThan' && rule.countNumber !== undefined) {
    const earlier = ordered.slice(0, index);
    const selectedNow = images.filter(
      (img) =>
        (img.status ?? 'ACTIVE') === 'ACTIVE' &&
        tagSelection(rule, img.tags) === 'all' &&
        !earlier.some((r) => tagSelection(r, img.tags) === 'all'),
    ).length;
    verdict.selectedNow = selectedNow;
    verdict.atLimit = selectedNow >= rule.countNumber;
  }
  return verdict;
}
