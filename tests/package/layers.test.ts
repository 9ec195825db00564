import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(__dirname, "..", "..", "src");

/**
 * The library's folders from the bottom up. A folder may import only from its own layer or below;
 * folders in one layer do not import each other's layer-mates unless listed as allowed.
 */
const LAYERS: string[][] = [
  ["schema", "prompts", "models"],
  ["guard"],
  ["render"],
  ["store"],
  ["memory"],
  ["learning"],
  ["graph"],
  ["testing"],
  ["cli", "bench", "generate"],
];
/** Imports between layer-mates that are part of the design: the CLI runs the bench and the generator. */
const ALLOWED_SIDEWAYS = new Set(["cli→bench", "cli→generate", "bench→generate", "generate→bench"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The top-level src/ folder of a file, or the entry file's own name for src/*.ts. */
function folderOf(file: string): string {
  const [first, second] = relative(SRC, file).split("/");
  return second === undefined ? `entry:${first!.replace(/\.ts$/, "")}` : first!;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

test("dependencies point one way: schema → guard → render → store → memory → learning → graph → cli/bench", () => {
  const problems: string[] = [];
  const unknown = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (from.startsWith("entry:")) continue; // entry files re-export from every layer by design
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = resolve(dirname(file), match[1]!);
      if (!target.startsWith(SRC)) continue;
      const to = folderOf(target.replace(/\.js$/, ".ts"));
      if (to === from) continue;
      if (layerOf(from) < 0) unknown.add(from);
      if (to.startsWith("entry:")) {
        // Only the outer layer may go through the package's public entries.
        if (layerOf(from) < LAYERS.length - 1) problems.push(`${relative(SRC, file)} imports the entry ${match[1]}`);
        continue;
      }
      if (layerOf(to) < 0) unknown.add(to);
      const sideways = layerOf(to) === layerOf(from);
      if (layerOf(to) > layerOf(from) || (sideways && !ALLOWED_SIDEWAYS.has(`${from}→${to}`))) {
        problems.push(`${relative(SRC, file)} (${from}) imports ${match[1]} (${to})`);
      }
    }
  }
  expect([...unknown]).toEqual([]); // every folder of src/ is placed in a layer
  expect(problems).toEqual([]);
});
