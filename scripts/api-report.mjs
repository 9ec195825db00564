#!/usr/bin/env node
// API reports of every package entry (etc/api/<entry>.api.md), made by API Extractor from the built
// .d.ts files (run `npm run build` first).
//   node scripts/api-report.mjs --check     exits 1 naming each entry whose public surface differs from its report
//   node scripts/api-report.mjs --update    rewrites the reports
//   --reports <dir>                         compare with / write to another folder (default etc/api)
//   --only <entry,...>                      only these entries (names as in API_ENTRIES)
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Report name → emitted declaration file of the entry (see package.json "exports"). */
export const API_ENTRIES = {
  index: "dist/index.d.ts",
  graph: "dist/graph.d.ts",
  learning: "dist/learning.d.ts",
  guard: "dist/guard.d.ts",
  store: "dist/store.d.ts",
  render: "dist/render.d.ts",
  models: "dist/models.d.ts",
  postgres: "dist/postgres.d.ts",
  testing: "dist/testing/index.d.ts",
  bench: "dist/bench.d.ts",
  generate: "dist/generate.d.ts",
};

function parseArgs(argv) {
  const args = { mode: undefined, reports: join(root, "etc", "api"), only: Object.keys(API_ENTRIES) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check" || arg === "--update") args.mode = arg.slice(2);
    else if (arg === "--reports") args.reports = resolve(argv[++i] ?? "");
    else if (arg === "--only") {
      args.only = (argv[++i] ?? "").split(",").filter(Boolean);
      const unknown = args.only.filter((name) => !(name in API_ENTRIES));
      if (unknown.length || !args.only.length) throw new Error(`api-report: --only takes entries of ${Object.keys(API_ENTRIES).join(", ")}; got ${unknown.join(", ") || "none"}`);
    }
    else throw new Error(`api-report: unknown argument ${arg} (use --check or --update, optionally --reports <dir>)`);
  }
  if (!args.mode) throw new Error("api-report: pass --check or --update");
  return args;
}

function run({ mode, reports, only }) {
  const configPath = join(root, "api-extractor.json");
  const base = ExtractorConfig.loadFile(configPath);
  const changed = [];
  const failed = [];
  mkdirSync(reports, { recursive: true });
  for (const name of only) {
    const dts = API_ENTRIES[name];
    const entry = join(root, dts);
    if (!existsSync(entry)) throw new Error(`api-report: ${dts} is missing; run npm run build first`);
    const config = ExtractorConfig.prepare({
      configObject: {
        ...base,
        mainEntryPointFilePath: entry,
        apiReport: { ...base.apiReport, reportFileName: name, reportFolder: reports, reportTempFolder: join(root, "dist", "api-report") },
      },
      configObjectFullPath: configPath,
      packageJsonFullPath: join(root, "package.json"),
    });
    const messages = [];
    const result = Extractor.invoke(config, {
      localBuild: mode === "update",
      showVerboseMessages: false,
      messageCallback: (message) => {
        // Collected and printed once per entry, with the entry's name.
        const notice = message.messageId.startsWith("console-");
        if (!notice && (message.logLevel === "error" || message.logLevel === "warning")) messages.push(message.formatMessageWithLocation(root));
        message.handled = true;
      },
    });
    if (result.apiReportChanged) changed.push(name);
    // A changed report fails the check by design (reported below); anything else API Extractor says is a failure.
    const extractorFailed = mode === "check" ? !result.succeeded && !result.apiReportChanged : !result.succeeded;
    if (messages.length || extractorFailed) failed.push(`${name}: ${messages.join("; ") || "API Extractor failed"}`);
  }
  return { changed, failed };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const { changed, failed } = run(args);
    for (const line of failed) console.error(`api-report: ${line}`);
    if (args.mode === "check" && changed.length) {
      console.error(
        `api-report: the public API of ${changed.map((name) => `"${name}"`).join(", ")} differs from ${args.reports}/` +
          `(new reports in dist/api-report/); if the change is deliberate, run npm run api:update and commit etc/api/`,
      );
    }
    if (failed.length || (args.mode === "check" && changed.length)) process.exit(1);
    console.log(args.mode === "check" ? `api-report: ${args.only.length} entries match their reports` : `api-report: ${changed.length} report(s) updated`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
