/**
 * "Did you mean …?": the names close to one that was not found, by edit distance (Levenshtein, case-insensitive) or
 * containment. Used for an ECR repository that does not exist (its near names in the registry) and for a
 * configuration key that is not a setting.
 */

/** The names within edit distance (or containment) of `wanted`, closest first, at most three. */
export function nearNames(wanted: string, names: string[]): string[] {
  const scored = names
    .filter((n) => n && n !== wanted)
    .map((n) => ({ n, d: distance(wanted.toLowerCase(), n.toLowerCase()) }))
    .filter(
      ({ n, d }) =>
        d <= Math.max(2, Math.floor(wanted.length / 3)) || n.includes(wanted) || wanted.includes(n),
    )
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, 3).map((s) => s.n);
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
