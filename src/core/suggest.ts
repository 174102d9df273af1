/** Edit distance between two short strings (Levenshtein). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The candidate closest to `word` (prefix match or edit distance ≤ 2), for "did you mean". */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const score = c.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, c);
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return bestScore <= 2 ? best : undefined;
}
