/** Tests are TypeScript compiled by SWC to CommonJS; `.js` suffixes of relative imports map to the sources. */
const ESM_ONLY_DEPENDENCIES = "p-retry|is-network-error|p-queue|p-timeout";

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }],
    [`/node_modules/(${ESM_ONLY_DEPENDENCIES})/.+\\.js$`]: [
      "@swc/jest",
      { jsc: { target: "es2022", parser: { syntax: "ecmascript" } }, module: { type: "commonjs" } },
    ],
  },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // The LangGraph SDK's CommonJS build requires these ESM-only packages: compile them too.
  transformIgnorePatterns: [`/node_modules/(?!.*/node_modules/)(?!(${ESM_ONLY_DEPENDENCIES})/)`],
  testTimeout: 60000,
  setupFiles: ["<rootDir>/tests/setupEnv.cjs"],
};
