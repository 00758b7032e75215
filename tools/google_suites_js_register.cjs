// Loaded with `mocha --require` by tools/google_suites.py's firebase-js-sdk target, in
// packages/firestore or packages/database of a firebase-js-sdk checkout: compiles the
// checkout's TypeScript on the fly with the SDK's own Babel config
// (packages/firestore/babel.config.json, which its test scripts use for Node), resolving
// Babel from the checkout's node_modules.
const path = require("path");

const here = process.cwd();
const load = (name) => require(require.resolve(name, { paths: [here] }));
const register = load("@babel/register");
(register.default || register)({
  extensions: [".js", ".ts"],
  configFile: path.resolve(here, "..", "firestore", "babel.config.json"),
});
// `ComponentType` is a `const enum` in @firebase/component's typings: tsc inlines it, Babel
// cannot, and the published package has no runtime object for it (packages/database's
// register.ts reads ComponentType.PUBLIC). Its members are these strings.
load("@firebase/component").ComponentType = {
  PUBLIC: "PUBLIC",
  PRIVATE: "PRIVATE",
  VERSION: "VERSION",
};
// --production-tests: the Firestore suites' emulator checks read USE_EMULATOR from
// test/integration/util/settings.ts when each test is declared (`it.skipEmulator`,
// `USE_EMULATOR ? it.skip : it`). Loading that module first and setting its export to
// false runs what only an emulator skips, while the settings it computed at load (the
// emulator's host, no SSL, the project) stay.
const settings = path.resolve(here, "test", "integration", "util", "settings.ts");
if (process.env.GOOGLE_SUITES_PRODUCTION_TESTS === "1" && require("fs").existsSync(settings)) {
  require(settings).USE_EMULATOR = false;
}
