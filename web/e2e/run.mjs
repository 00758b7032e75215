#!/usr/bin/env node
// Browser tests against the real functions: starts the backend (e2e/backend.py), builds the
// client for it, serves the build, and runs e2e/*.e2e.mjs with node:test in Chromium.
// Usage: npm run e2e [-- e2e/accounts.e2e.mjs]
// Env: CHROMIUM_PATH (default /usr/bin/chromium), FLOWCHAT_PYTHON (default ../.venv/bin/python).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(webDir, "..");
const python = process.env.FLOWCHAT_PYTHON ?? path.join(repoRoot, ".venv/bin/python");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const resultsDir = path.join(webDir, "test-results");

for (const [what, file, hint] of [
  ["Chromium", chromium, "apt-get install -y chromium, or set CHROMIUM_PATH"],
  ["Python", python, "run make setup, or set FLOWCHAT_PYTHON"],
]) {
  if (!existsSync(file)) {
    console.error(`e2e: ${what} not found at ${file} (${hint})`);
    process.exit(2);
  }
}

const testFiles = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(path.join(webDir, "e2e"))
      .filter((name) => name.endsWith(".e2e.mjs"))
      .map((name) => path.join("e2e", name));

function startBackend() {
  const child = spawn(python, [path.join(webDir, "e2e/backend.py")], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const log = [];
  child.stderr.on("data", (chunk) => log.push(chunk.toString()));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend not ready after 120 s:\n${log.join("")}`)), 120_000);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${log.join("")}`));
    });
  });
  return { child, ready, log };
}

async function stopBackend(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin.end();
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

const backend = startBackend();
let previewServer;
let exitCode = 1;
try {
  const { functionsUrl, authEmulatorHost, firestoreEmulatorHost, databaseEmulatorHost } = await backend.ready;
  console.log(`e2e: functions at ${functionsUrl}, Auth emulator at ${authEmulatorHost}`);

  // Vite reads VITE_* from the process environment when it builds.
  Object.assign(process.env, {
    VITE_USE_EMULATORS: "true",
    VITE_FIREBASE_PROJECT_ID: "demo-flowchat",
    VITE_FUNCTIONS_URL: functionsUrl,
    VITE_AUTH_EMULATOR_HOST: authEmulatorHost,
    VITE_FIRESTORE_EMULATOR_HOST: firestoreEmulatorHost,
    VITE_DATABASE_EMULATOR_HOST: databaseEmulatorHost,
  });
  const { build, preview } = await import("vite");
  const outDir = path.join(resultsDir, "e2e-dist");
  await build({ root: webDir, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  previewServer = await preview({
    root: webDir,
    logLevel: "warn",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  });
  const address = previewServer.httpServer.address();
  const baseUrl = `http://127.0.0.1:${address.port}`;
  console.log(`e2e: client at ${baseUrl}`);

  const tests = spawn(process.execPath, ["--test", "--test-concurrency=1", ...testFiles], {
    cwd: webDir,
    stdio: "inherit",
    env: { ...process.env, E2E_BASE_URL: baseUrl, CHROMIUM_PATH: chromium, E2E_RESULTS_DIR: resultsDir },
  });
  exitCode = await new Promise((resolve) => tests.once("exit", (code) => resolve(code ?? 1)));
  if (exitCode !== 0) console.error(`e2e: backend log tail:\n${backend.log.join("").split("\n").slice(-40).join("\n")}`);
} catch (error) {
  console.error(error);
} finally {
  await previewServer?.close();
  await stopBackend(backend.child);
}
process.exit(exitCode);
