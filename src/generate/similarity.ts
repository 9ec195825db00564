/**
 * Lexical similarity: cosine of character-trigram counts. Language-neutral
 * (works on Chinese, which has no spaces, as on English), deterministic and
 * free: no embedding endpoint is needed.
 */
export type NgramVector = Map<string, number>;

const N = 3;

/** Letters and digits only, lower-cased, NFKC-normalized. */
function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/**
 * Character-trigram counts of a text (words joined by one space, so trigrams
 * cross word boundaries as they would in Chinese).
 *
 * @param text - Any text.
 * @returns The trigram counts; texts shorter than three characters give their whole text as one gram.
 * @example
 * ngramVector("abcd").size; // 2 ("abc", "bcd")
 */
export function ngramVector(text: string): NgramVector {
  const chars = [...normalize(text)];
  const vector: NgramVector = new Map();
  if (chars.length === 0) return vector;
  if (chars.length < N) {
    vector.set(chars.join(""), 1);
    return vector;
  }
  for (let i = 0; i + N <= chars.length; i++) {
    const gram = chars.slice(i, i + N).join("");
    vector.set(gram, (vector.get(gram) ?? 0) + 1);
  }
  return vector;
}

/**
 * Cosine similarity of two trigram vectors, from 0 (no trigram shared) to 1.
 *
 * @param a - A vector from `ngramVector`.
 * @param b - Another one.
 * @returns The cosine; 0 when either is empty.
 * @example
 * cosine(ngramVector("same text"), ngramVector("same text")); // 1
 */
export function cosine(a: NgramVector, b: NgramVector): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [gram, count] of small) dot += count * (large.get(gram) ?? 0);
  let normA = 0;
  let normB = 0;
  for (const count of a.values()) normA += count * count;
  for (const count of b.values()) normB += count * count;
  return Math.min(1, dot / Math.sqrt(normA * normB));
}

/**
 * Lexical similarity of two texts.
 *
 * @param a - A text.
 * @param b - Another text.
 * @returns Cosine of their trigram counts, 0 to 1.
 * @example
 * textSimilarity("likes hiking in the Alps", "likes hiking in the Andes") > 0.5; // true
 */
export function textSimilarity(a: string, b: string): number {
  return cosine(ngramVector(a), ngramVector(b));
}

/**
 * The closest earlier text to a candidate.
 * @example
 * const nearest: Nearest | undefined = index.nearest("retired teacher who paints");
 */
export interface Nearest {
  similarity: number;
  id: string;
  label: string;
  /** The earlier text itself. */
  text: string;
}

/**
 * Texts seen so far in a run (personas, scenes), to find a candidate's
 * nearest neighbour. `nearest` then `add` with no await between is atomic.
 *
 * @example
 * const index = new DiversityIndex();
 * index.add("0", "Ana", "retired teacher who paints");
 * index.nearest("retired teacher who paints")?.similarity; // 1
 */
export class DiversityIndex {
  private readonly entries: Array<{ id: string; label: string; text: string; vector: NgramVector }> = [];

  /** Number of texts held. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * Adds a text to the index.
   *
   * @param id - Unique id of the text (e.g. the persona's slot).
   * @param label - What reports call it (e.g. the persona's name).
   * @param text - The text itself.
   */
  add(id: string, label: string, text: string): void {
    this.entries.push({ id, label, text, vector: ngramVector(text) });
  }

  /**
   * Forgets a text (a persona whose job failed later: it will not be written).
   *
   * @param id - The id given to `add`.
   */
  remove(id: string): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].id === id) this.entries.splice(i, 1);
  }

  /**
   * The held text most similar to a candidate (cosine of character n-gram vectors).
   *
   * @param text - The candidate.
   * @param exceptId - An id to leave out (the candidate's own earlier version).
   * @returns The most similar text held, or undefined when none is.
   */
  nearest(text: string, exceptId?: string): Nearest | undefined {
    const vector = ngramVector(text);
    let best: Nearest | undefined;
    for (const entry of this.entries) {
      if (entry.id === exceptId) continue;
      const similarity = cosine(vector, entry.vector);
      if (!best || similarity > best.similarity) best = { similarity, id: entry.id, label: entry.label, text: entry.text };
    }
    return best;
  }

  /**
   * Labels of the texts held.
   *
   * @returns the labels, oldest first
   */
  labels(): string[] {
    return this.entries.map((entry) => entry.label);
  }
}

/**
 * Summary of a set of similarity values.
 * @example
 * const summary: SimilaritySummary | undefined = summarizeSimilarities([0.2, 0.4]);
 */
export interface SimilaritySummary {
  count: number;
  min: number;
  p10: number;
  median: number;
  mean: number;
  p90: number;
  max: number;
  /** Counts in ten bins: [0, 0.1), [0.1, 0.2), ..., [0.9, 1]. */
  histogram: number[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 1) return sorted[0];
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/**
 * Summarizes similarity values (count, min, quantiles, max and a histogram).
 *
 * @param values - Similarities from 0 to 1.
 * @returns Their quantiles and a ten-bin histogram, or undefined for no values.
 * @example
 * summarizeSimilarities([0.2, 0.4])?.median; // 0.3
 */
export function summarizeSimilarities(values: number[]): SimilaritySummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const histogram = new Array<number>(10).fill(0);
  for (const value of sorted) histogram[Math.min(9, Math.floor(value * 10))]++;
  return {
    count: sorted.length,
    min: sorted[0],
    p10: quantile(sorted, 0.1),
    median: quantile(sorted, 0.5),
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p90: quantile(sorted, 0.9),
    max: sorted[sorted.length - 1],
    histogram,
  };
}

/**
 * Every pairwise similarity of a list of texts (n·(n−1)/2 values).
 *
 * @param texts - The texts.
 * @returns Their pairwise similarities.
 * @example
 * pairwiseSimilarities(["a b c", "a b c", "x y z"]).length; // 3
 */
export function pairwiseSimilarities(texts: string[]): number[] {
  const vectors = texts.map(ngramVector);
  const values: number[] = [];
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) values.push(cosine(vectors[i], vectors[j]));
  }
  return values;
}
