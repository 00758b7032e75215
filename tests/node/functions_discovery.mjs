// What `firebase deploy` would see in functions/, computed by firebase-tools' own modules:
// the Python runtime's discovery (the SDK's serving.py run from functions/venv with
// ADMIN_PORT and FUNCTIONS_CONTROL_API=true, then /__/functions.yaml), and the param
// resolution of a non-interactive deploy against the dotenv files. Nothing reaches Google:
// secrets, which a deploy looks up in Secret Manager, are left out of the resolution (as for
// the emulator) and are checked by `make deploy` instead.
//
// Usage: node functions_discovery.mjs SOURCE_DIR PROJECT_ID [ENV_DIR]
// Prints {"build": ..., "resolved": {name: value}} or {"build": ..., "error": message}.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const lib = "firebase-tools/lib";
const { Delegate } = require(`${lib}/deploy/functions/runtimes/python`);
const functionsEnv = require(`${lib}/functions/env`);
const params = require(`${lib}/deploy/functions/params`);
const buildModule = require(`${lib}/deploy/functions/build`);

const [sourceDir, projectId, envDir] = process.argv.slice(2);
const firebaseConfig = { projectId };

async function main() {
  const userEnvs = functionsEnv.loadUserEnvs({
    functionsSource: sourceDir,
    configDir: envDir || sourceDir,
    projectDir: path.dirname(sourceDir),
    projectId,
  });
  const envs = { ...userEnvs, ...functionsEnv.loadFirebaseEnvs(firebaseConfig, projectId) };
  const delegate = new Delegate(projectId, sourceDir, "python311");
  // discoverBuild stops its serving.py (quitquitquit, then a forced kill) before returning.
  const build = await delegate.discoverBuild({ firebase: firebaseConfig }, envs);
  try {
    const { paramValues } = await params.resolveParams({
      params: build.params,
      firebaseConfig,
      userEnvs: buildModule.envWithTypes(build.params, userEnvs),
      codebase: "default",
      nonInteractive: true,
      isEmulator: true,
    });
    const resolved = Object.fromEntries(
      Object.entries(paramValues)
        .filter(([, value]) => !value.internal)
        .map(([name, value]) => [name, value.toSDK()]),
    );
    return { build, resolved };
  } catch (error) {
    return { build, error: error.message };
  }
}

main().then(
  (result) => process.stdout.write(JSON.stringify(result), () => process.exit(0)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
