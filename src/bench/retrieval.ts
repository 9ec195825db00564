/**
 * Lexical retrieval for the `rag` condition: Okapi BM25 (k1 = 1.2, b = 0.75)
 * over past sessions. Tokens are lower-cased Latin words and digits, and
 * overlapping character bigrams of CJK text (Chinese has no spaces).
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.toLowerCase().match(/[a-z0-9]+|[\u3400-\u9fff]+/g) ?? []) {
    if (/^[a-z0-9]/.test(word)) {
      tokens.push(word);
    } else if (word.length === 1) {
      tokens.push(word);
    } else {
      for (let i = 0; i + 1 < word.length; i++) tokens.push(word.slice(i, i + 2));
    }
  }
  return tokens;
}

export interface RetrievableDocument {
  id: string;
  text: string;
}

export interface RetrievedDocument extends RetrievableDocument {
  score: number;
}

/** The `top` documents with the highest BM25 score for `query` (score > 0 only), best first. */
export function bm25Search(
  query: string,
  documents: RetrievableDocument[],
  top: number,
  k1 = 1.2,
  b = 0.75,
): RetrievedDocument[] {
  if (documents.length === 0 || top < 1) return [];
  const docs = documents.map((doc) => {
    const counts = new Map<string, number>();
    const tokens = tokenize(doc.text);
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    return { doc, counts, length: tokens.length };
  });
  const averageLength = docs.reduce((sum, d) => sum + d.length, 0) / docs.length || 1;
  const queryTerms = [...new Set(tokenize(query))];
  const scored = docs.map(({ doc, counts, length }) => {
    let score = 0;
    for (const term of queryTerms) {
      const tf = counts.get(term) ?? 0;
      if (tf === 0) continue;
      const df = docs.filter((d) => d.counts.has(term)).length;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / averageLength));
    }
    return { ...doc, score };
  });
  return scored
    .filter((doc) => doc.score > 0)
    .sort((a, b2) => b2.score - a.score || a.id.localeCompare(b2.id))
    .slice(0, top);
}
