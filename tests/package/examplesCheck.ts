import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { ENTRY_FILES, typeCheckedProgram } from "./tsdocCheck.js";

const ROOT = join(__dirname, "..", "..");
const PACKAGE_NAME = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).name as string;

/** One `@example` of a public export. */
export interface DocExample {
  symbol: string;
  /** Where the documented declaration is (path:line). */
  where: string;
  code: string;
}

/** A compile error in an example. */
export interface ExampleProblem {
  symbol: string;
  where: string;
  message: string;
}

/**
 * Names the examples use without defining them: the reader's own objects (a model, a store, a
 * compiled graph...). Typed where one type fits every example that uses the name, `any` elsewhere,
 * so calls to this package's exports in the examples are still checked. A name missing here fails
 * the check: an example that uses something nobody defined is a mistake.
 */
const READER_VALUES: Record<string, string> = {
  memory: `import("${ROOT}/src/memory/personaMemory.js").PersonaMemory`,
  store: `import("@langchain/langgraph").BaseStore`,
  checkpointer: `import("@langchain/langgraph").BaseCheckpointSaver`,
  ...Object.fromEntries(
    [
      "a", "b", "builder", "candidates", "changes", "checker", "code", "conditions", "config", "controller", "corpus", "ctx",
      "current", "data", "db", "dir", "document", "entries", "entry", "env", "estimate", "events", "fields", "file",
      "generator", "graph", "index", "input", "item", "judge", "judgment", "learner", "learnerModel", "learnerReply",
      "ledger", "line", "lines", "loaded", "log", "messages", "model", "modelInfo", "models", "myHandler", "mySchema",
      "next", "options", "outDir", "owner", "persistence", "persona", "place", "policy", "pool", "preference", "proposal",
      "proposed", "pruner", "question", "record", "records", "reply", "report", "request", "result", "rows", "run", "scene",
      "schema", "scope", "server", "settings", "shownSoFar", "signal", "state", "stored", "summary", "text", "threadId",
      "tools", "update", "url", "userText", "v1", "v2", "valid", "value", "values",
    ].map((name) => [name, "any"]),
  ),
};

/** What the examples take from LangChain, LangGraph, zod and Node, as a reader imports it. */
const LIBRARY_IMPORTS: Array<[string, string[]]> = [
  ["@langchain/core/messages", ["AIMessage", "BaseMessage", "HumanMessage", "SystemMessage", "ToolMessage"]],
  ["@langchain/openai", ["ChatOpenAI"]],
  ["@langchain/langgraph", ["Annotation", "Command", "END", "InMemoryStore", "MemorySaver", "Messages", "START", "StateGraph"]],
  ["@langchain/langgraph/prebuilt", ["ToolNode"]],
  ["@langchain/langgraph-checkpoint-sqlite", ["SqliteSaver"]],
  ["zod", ["z"]],
  ["node:fs", ["existsSync", "readFileSync", "writeFileSync"]],
  ["node:path", ["join"]],
];

function exampleCode(comment: string): { code: string; language: string } {
  const fence = /^```([^\n]*)\n([\s\S]*?)\n?```\s*$/.exec(comment.trim());
  if (!fence) return { code: comment, language: "ts" };
  return { code: fence[2]!, language: fence[1]!.trim().split(/\s+/)[0] || "ts" };
}

/**
 * Every TypeScript `@example` of the exports reachable from the entries (members of exported
 * classes and interfaces included), and the public names of each entry.
 */
export function collectExamples(entries: string[] = ENTRY_FILES): { examples: DocExample[]; exportsByEntry: Map<string, string[]> } {
  const program = typeCheckedProgram(entries.map((entry) => join(ROOT, entry)));
  const checker = program.getTypeChecker();
  const examples: DocExample[] = [];
  const exportsByEntry = new Map<string, string[]>();
  const seen = new Set<ts.Node>();
  for (const entry of entries) {
    const source = program.getSourceFile(join(ROOT, entry));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`examples check: ${entry} not found`);
    const names: string[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      names.push(exported.getName());
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.getDeclarations() ?? []) {
        const nodes: ts.Node[] = [declaration];
        if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) nodes.push(...declaration.members);
        for (const node of nodes) {
          if (seen.has(node)) continue;
          seen.add(node);
          const file = node.getSourceFile();
          if (relative(ROOT, file.fileName).startsWith("node_modules")) continue;
          for (const doc of ts.getJSDocCommentsAndTags(node)) {
            if (!ts.isJSDoc(doc)) continue;
            for (const tag of doc.tags ?? []) {
              if (tag.tagName.text !== "example") continue;
              const { code, language } = exampleCode(ts.getTextOfJSDocComment(tag.comment) ?? "");
              if (!["ts", "typescript", "js", "javascript"].includes(language)) continue;
              const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
              examples.push({ symbol: exported.getName(), where: `${relative(ROOT, file.fileName)}:${line}`, code });
            }
          }
        }
      }
    }
    exportsByEntry.set(entry, names);
  }
  return { examples, exportsByEntry };
}

/** The module specifier of an entry as a user writes it (`langgraph-persona/learning`). */
function publicSpecifier(entry: string): string {
  const name = entry.replace(/^src\//, "").replace(/\.ts$/, "").replace(/\/index$/, "");
  return name === "index" ? PACKAGE_NAME : `${PACKAGE_NAME}/${name}`;
}

/**
 * Compiles every example as a module of its own, the way a reader would paste it: the package's
 * public names imported, the reader's own values (READER_VALUES) declared, and the example's code
 * in an async function (its own `import` lines moved to the top).
 * @returns every compile error, with the example it is in
 */
export function checkExamples(entries: string[] = ENTRY_FILES): { problems: ExampleProblem[]; checked: number } {
  const { examples, exportsByEntry } = collectExamples(entries);
  const folder = join(ROOT, "tests", "package", "__examples__");
  const specifiers = new Map([...exportsByEntry.keys()].map((entry) => [publicSpecifier(entry), join(ROOT, entry).replace(/\.ts$/, ".js")]));
  const files = new Map<string, string>();
  files.set(
    join(folder, "readerValues.d.ts"),
    `export {};\ndeclare global {\n${Object.entries(READER_VALUES)
      .map(([name, type]) => `  const ${name}: ${type};`)
      .join("\n")}\n}\n`,
  );
  // Names imported from several entries: keep the first entry's import only.
  const seenNames = new Set<string>();
  for (const entry of exportsByEntry.keys()) {
    exportsByEntry.set(entry, exportsByEntry.get(entry)!.filter((name) => !seenNames.has(name) && seenNames.add(name)));
  }
  const owners = new Map<string, DocExample>();
  examples.forEach((example, index) => {
    const lines = example.code.split("\n");
    const own = lines.filter((line) => /^\s*import\s/.test(line));
    const body = lines.filter((line) => !/^\s*import\s/.test(line));
    const ownImports = own.map((line) => line.replace(/(["'])([^"']+)\1/, (whole, quote, specifier) => {
      const target = specifiers.get(specifier);
      return target ? `${quote}${relative(folder, target).replace(/^(?!\.)/, "./")}${quote}` : whole;
    }));
    const imported = new Set(own.flatMap((line) => /\{([^}]*)\}/.exec(line)?.[1]?.split(",").map((name) => name.trim().split(/\s+as\s+/).at(-1)!) ?? []));
    const publicImports = [...exportsByEntry].map(([entry, names]) => {
      const wanted = names.filter((name) => !imported.has(name));
      const target = relative(folder, join(ROOT, entry).replace(/\.ts$/, ".js"));
      return wanted.length ? `import { ${wanted.join(", ")} } from "${target}";` : "";
    });
    const libraryImports = LIBRARY_IMPORTS.map(([module, names]) => {
      const wanted = names.filter((name) => !imported.has(name));
      return wanted.length ? `import { ${wanted.join(", ")} } from "${module}";` : "";
    });
    const file = join(folder, `example${index}.ts`);
    owners.set(file, example);
    files.set(file, [...ownImports, ...libraryImports, ...publicImports, `import "./readerValues.js";`, "export {};", "async function example() {", ...body, "}", ""].join("\n"));
  });
  const host = ts.createCompilerHost({});
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.getSourceFile = (name, version, onError, create) => {
    const text = files.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, onError, create);
  };
  // Callbacks on the reader's untyped values would otherwise need annotations no reader writes.
  const program = typeCheckedProgram([...files.keys()], host, { noImplicitAny: false, noUnusedLocals: false });
  const problems: ExampleProblem[] = [];
  for (const [file, example] of owners) {
    const source = program.getSourceFile(file)!;
    for (const diagnostic of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      problems.push({ symbol: example.symbol, where: example.where, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n").slice(0, 400) });
    }
  }
  return { problems, checked: examples.length };
}
