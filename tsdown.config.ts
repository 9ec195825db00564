import { defineConfig } from "tsdown";

/**
 * The package's public entry points, one line each. The build emits every one
 * as ESM (`.js`, `.d.ts`) and CommonJS (`.cjs`, `.d.cts`) under dist/, and
 * writes package.json `exports` from this list (`src/x.ts` → `./x`,
 * `src/x/index.ts` → `./x`).
 */
const ENTRIES = [
  "src/index.ts",
  "src/graph.ts",
  "src/learning.ts",
  "src/guard.ts",
  "src/store.ts",
  "src/render.ts",
  "src/models.ts",
  "src/bench.ts",
  "src/generate.ts",
  "src/postgres.ts",
  "src/testing/index.ts",
];

/**
 * Gives every generated entry explicit `types` conditions: `.d.ts` next to the
 * ESM file for `import`, `.d.cts` next to the CommonJS file for `require`.
 */
function withTypes(exports: Record<string, unknown>): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== "object" || target === null || !("import" in target) || !("require" in target)) {
      typed[subpath] = target;
      continue;
    }
    const { import: esm, require: cjs } = target as { import: string; require: string };
    typed[subpath] = {
      import: { types: esm.replace(/\.js$/, ".d.ts"), default: esm },
      require: { types: cjs.replace(/\.cjs$/, ".d.cts"), default: cjs },
    };
  }
  return typed;
}

export default defineConfig({
  platform: "node",
  target: "node20.19",
  tsconfig: "tsconfig.build.json",
  // The CLI (package.json "bin", dist/cli/main.js) is built too but not exported.
  entry: [...ENTRIES, "src/cli/main.ts"],
  format: ["esm", "cjs"],
  // One output file per source file (dist/ mirrors src/) with all its exports:
  // stack traces keep their paths and the scripts that load single modules work.
  unbundle: true,
  treeshake: false,
  root: "src",
  outDir: "dist",
  fixedExtension: false,
  sourcemap: true,
  // import.meta.url in the CommonJS build.
  shims: true,
  dts: true,
  // Dependencies and peers stay imports of the installed packages.
  deps: { skipNodeModulesBundle: true },
  // The dts step dominates and always will; the per-build timing warning says nothing new.
  checks: { pluginTimings: false },
  exports: { legacy: true, exclude: ["cli/main"], customExports: withTypes },
});
