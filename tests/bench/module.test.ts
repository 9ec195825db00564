import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(__dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

function relativeImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
}

test("the benchmark depends on the library only through its public entries", () => {
  const benchFiles = [...files(join(SRC, "bench")), join(SRC, "bench.ts"), join(SRC, "cli/bench.ts")];
  const entries = ["index.ts", "graph.ts", "learning.ts", "guard.ts", "store.ts", "render.ts", "models.ts", "testing/index.ts", "bench.ts"];
  const allowed = new Set(entries.map((entry) => join(SRC, entry)));
  const outside: string[] = [];
  for (const file of benchFiles) {
    for (const specifier of relativeImports(file)) {
      const target = resolve(file, "..", specifier).replace(/\.js$/, ".ts");
      const insideBench = target.startsWith(join(SRC, "bench") + "/");
      const cliInfrastructure = file.endsWith("cli/bench.ts") && target.startsWith(join(SRC, "cli") + "/");
      if (!insideBench && !cliInfrastructure && !allowed.has(target)) outside.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  expect(outside).toEqual([]);
  // Other modules reach the benchmark only through its entry; the library's core never does.
  const others = files(SRC).filter((f) => !f.startsWith(join(SRC, "bench") + "/") && f !== join(SRC, "bench.ts") && !f.endsWith("cli/bench.ts"));
  const core = ["graph", "memory", "learning", "store", "schema", "render", "prompts", "models"].map((d) => join(SRC, d) + "/");
  const intoBench = others.flatMap((file) =>
    relativeImports(file)
      .map((s) => resolve(file, "..", s).replace(/\.js$/, ".ts"))
      .filter((t) => t.startsWith(join(SRC, "bench") + "/") || (t === join(SRC, "bench.ts") && (file === join(SRC, "index.ts") || core.some((d) => file.startsWith(d)))))
      .map((t) => `${relative(SRC, file)} → ${relative(SRC, t)}`),
  );
  expect(intoBench).toEqual([]);
  expect(benchFiles.length).toBeGreaterThan(20);
});
