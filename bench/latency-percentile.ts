/** The nearest-rank percentile (0 < p <= 100) of ascending-sorted values; NaN when empty. */
export function percentile(sortedAscending: Float64Array, p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}
