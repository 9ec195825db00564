import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";

/**
 * The package entries, as source files: read from package.json "exports", which the build writes
 * from the entry list in tsdown.config.ts (`./dist/x.js` is built from `src/x.ts`).
 */
export const ENTRY_FILES: string[] = Object.entries(
  JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).exports as Record<string, { import?: { default: string } }>,
)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([, target]) => target.import!.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));

export interface DocProblem {
  entry: string;
  symbol: string;
  problem: string;
  /** Where the symbol is declared (path:line). */
  where: string;
}

const ROOT = join(__dirname, "..", "..");

function ownDocs(node: ts.Node): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(node).filter((doc): doc is ts.JSDoc => ts.isJSDoc(doc));
}

function summaryOf(node: ts.Node): string {
  return ownDocs(node)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
    .join(" ")
    .trim();
}

function hasTag(node: ts.Node, name: string): boolean {
  return ownDocs(node).some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === name));
}

function paramNames(node: ts.Node): Set<string> {
  const names = new Set<string>();
  for (const doc of ownDocs(node)) {
    for (const tag of doc.tags ?? []) {
      if (ts.isJSDocParameterTag(tag)) names.add(tag.name.getText());
    }
  }
  return names;
}

function functionLike(node: ts.Node): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isMethodSignature(node)) return node;
  if (ts.isVariableDeclaration(node) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
    return node.initializer;
  }
  return undefined;
}

function returnsNothing(checker: ts.TypeChecker, signature: ts.SignatureDeclaration): boolean {
  const sig = checker.getSignatureFromDeclaration(signature);
  if (!sig) return false;
  const type = checker.getReturnTypeOfSignature(sig);
  const text = checker.typeToString(type);
  return text === "void" || text === "Promise<void>" || text === "never" || ts.isConstructorDeclaration(signature);
}

function checkSignature(
  checker: ts.TypeChecker,
  signature: ts.SignatureDeclaration,
  docNode: ts.Node,
  report: (problem: string) => void,
): void {
  const documentedParams = paramNames(docNode);
  for (const parameter of signature.parameters) {
    const name = ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
    if (!name) {
      if (documentedParams.size < signature.parameters.length) report("a destructured parameter has no @param");
      continue;
    }
    if (!documentedParams.has(name)) report(`no @param ${name}`);
  }
  if (!returnsNothing(checker, signature) && !hasTag(docNode, "returns")) report("no @returns");
}

function isOptionsInterface(name: string): boolean {
  return /(Options|Settings|Policy)$/.test(name);
}

/** A type-checked program of the entry files, with the project's compiler options. */
/**
 * A type-checked program over source files, with the project's compiler options (plus `extra`);
 * `host` serves files that exist only in memory.
 */
export function typeCheckedProgram(files: string[], host?: ts.CompilerHost, extra: ts.CompilerOptions = {}): ts.Program {
  const configPath = join(ROOT, "tsconfig.json");
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return ts.createProgram(files, { ...parsed.options, noEmit: true, ...extra }, host);
}

function entryProgram(entries: string[]): { program: ts.Program; checker: ts.TypeChecker } {
  const program = typeCheckedProgram(entries.map((entry) => join(ROOT, entry)));
  return { program, checker: program.getTypeChecker() };
}

/** Every documentation problem of the exports reachable from the entries. */
export function findDocProblems(entries: string[] = ENTRY_FILES): DocProblem[] {
  const { program, checker } = entryProgram(entries);
  const problems: DocProblem[] = [];
  const seen = new Set<ts.Symbol>();
  for (const entry of entries) {
    const source = program.getSourceFile(join(ROOT, entry));
    if (!source) throw new Error(`tsdoc check: ${entry} not found`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (seen.has(symbol)) continue;
      seen.add(symbol);
      const name = exported.getName();
      const declarations = symbol.getDeclarations() ?? [];
      const first = declarations[0];
      const where = first
        ? `${relative(ROOT, first.getSourceFile().fileName)}:${first.getSourceFile().getLineAndCharacterOfPosition(first.getStart()).line + 1}`
        : "?";
      const report = (problem: string) => problems.push({ entry, symbol: name, problem, where });
      // A function with overloads or a class/interface merged with a namespace: the first declaration carries the docs.
      const declaration = declarations[0];
      if (!declaration) {
        report("no declaration");
        continue;
      }
      if (relative(ROOT, declaration.getSourceFile().fileName).startsWith("node_modules")) continue;
      const docNode = declaration;
      if (!summaryOf(docNode)) report("no summary");
      if (!hasTag(docNode, "example")) report("no @example");
      const signature = functionLike(declaration);
      if (signature) checkSignature(checker, signature, docNode, report);
      if (ts.isClassDeclaration(declaration)) {
        for (const member of declaration.members) {
          const modifiers = ts.getCombinedModifierFlags(member);
          if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
          if (member.name && ts.isPrivateIdentifier(member.name)) continue;
          // Underscored members are LangChain's override protocol (_generate, _llmType), not API of their own.
          if (member.name && member.name.getText().startsWith("_")) continue;
          if (ts.isConstructorDeclaration(member)) {
            if (member.parameters.length) checkSignature(checker, member, member, (p) => report(`constructor: ${p}`));
            continue;
          }
          if (ts.isMethodDeclaration(member) && member.body !== undefined) {
            const memberName = member.name.getText();
            if (!summaryOf(member)) report(`${memberName}: no summary`);
            checkSignature(checker, member, member, (p) => report(`${memberName}: ${p}`));
          }
        }
      }
      if (ts.isInterfaceDeclaration(declaration) && isOptionsInterface(name)) {
        for (const member of declaration.members) {
          if (!ts.isPropertySignature(member) || !member.questionToken) continue;
          const memberName = member.name.getText();
          if (!hasTag(member, "default")) report(`${memberName}: no @default`);
        }
      }
    }
  }
  return problems;
}


/** Each entry's exported names, with the declaration each resolves to (`path:line`). */
export function entryExports(entries: string[] = ENTRY_FILES): Map<string, Array<{ name: string; declaredAt: string }>> {
  const { program, checker } = entryProgram(entries);
  const out = new Map<string, Array<{ name: string; declaredAt: string }>>();
  for (const entry of entries) {
    const source = program.getSourceFile(join(ROOT, entry));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`entry exports: ${entry} not found`);
    out.set(
      entry,
      checker.getExportsOfModule(moduleSymbol).map((exported) => {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const declaration = symbol.getDeclarations()?.[0];
        const declaredAt = declaration
          ? `${relative(ROOT, declaration.getSourceFile().fileName)}:${declaration.getSourceFile().getLineAndCharacterOfPosition(declaration.getStart()).line + 1}`
          : "?";
        return { name: exported.getName(), declaredAt };
      }),
    );
  }
  return out;
}
