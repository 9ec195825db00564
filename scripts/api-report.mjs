#!/usr/bin/env node
// API reports of every package entry (etc/api/<entry>.api.md), made by API Extractor from
// declarations that tsc emits into dist/api-dts/ (the bundler's .d.ts files order inferred
// unions differently from one build to the next; tsc's are the same every time).
//   node scripts/api-report.mjs --check     exits 1 naming each entry whose public surface differs from its report
//   node scripts/api-report.mjs --update    rewrites the reports
//   --reports <dir>                         compare with / write to another folder (default etc/api)
//   --only <entry,...>                      only these entries (names as in API_ENTRIES)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Report name → declaration file of each package entry, from package.json "exports" (which the
 * build writes from the entry list in tsdown.config.ts): "." is "index", "./x" is "x".
 */
export const API_ENTRIES = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports)
    .filter(([subpath]) => subpath !== "./package.json")
    .map(([subpath, target]) => [
      subpath === "." ? "index" : subpath.slice(2),
      target.import.default.replace(/^\.\/dist\//, "dist/api-dts/").replace(/\.js$/, ".d.ts"),
    ]),
);

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

/** Emits the declarations of src/ with tsc into dist/api-dts/. */
function emitDeclarations() {
  const out = join(root, "dist", "api-dts");
  rmSync(out, { recursive: true, force: true });
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(
    process.execPath,
    [tsc, "-p", join(root, "tsconfig.build.json"), "--emitDeclarationOnly", "--declarationMap", "false", "--sourceMap", "false", "--outDir", out],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`api-report: tsc could not emit declarations:\n${result.stdout}${result.stderr}`);
}

function run({ mode, reports, only }) {
  emitDeclarations();
  const configPath = join(root, "api-extractor.json");
  const base = ExtractorConfig.loadFile(configPath);
  const changed = [];
  const failed = [];
  mkdirSync(reports, { recursive: true });
  for (const name of only) {
    const dts = API_ENTRIES[name];
    const entry = join(root, dts);
    if (!existsSync(entry)) throw new Error(`api-report: ${dts} is missing; tsc emitted no declaration for it`);
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
