// The pieces e2e/run.mjs and scripts/first-paint.mjs share: the backend (e2e/backend.py on
// free ports), and the client built against it and served by Vite's preview server.
// Env: CHROMIUM_PATH (default /usr/bin/chromium), FLOWCHAT_PYTHON (default ../.venv/bin/python).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = path.resolve(webDir, "..");
export const python = process.env.FLOWCHAT_PYTHON ?? path.join(repoRoot, ".venv/bin/python");
export const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const resultsDir = path.join(webDir, "test-results");

/** Exits with status 2 and a hint when Chromium or the virtualenv's Python is missing. */
export function requireTools(label) {
  for (const [what, file, hint] of [
    ["Chromium", chromium, "apt-get install -y chromium, or set CHROMIUM_PATH"],
    ["Python", python, "run make setup, or set FLOWCHAT_PYTHON"],
  ]) {
    if (!existsSync(file)) {
      console.error(`${label}: ${what} not found at ${file} (${hint})`);
      process.exit(2);
    }
  }
}

/** Starts e2e/backend.py; `ready` resolves with its JSON line (hosts and URLs). */
export function startBackend(env = process.env) {
  const child = spawn(python, [path.join(webDir, "e2e/backend.py")], {
    cwd: repoRoot,
    env,
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

export async function stopBackend(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin.end();
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Builds the client (this checkout's, or another copy of `web/` at `root`) against the backend
 * into a new folder `test-results/<name>-XXXXXX` and serves it on a free port. Returns
 * `{ baseUrl, close }`; `close` removes the folder. `minify: false` keeps the function names
 * readable in CPU profiles (scripts/busy-room-bench.mjs with BUSY_ROOM_PROFILE).
 *
 * The folder is this run's own: the build bakes in this backend's URLs, and a second run in
 * the same checkout that rebuilt a shared folder would hand this run's browser a client that
 * talks to the other run's backend (seen as a session that ends on the next page load).
 */
export async function buildAndServe(
  { functionsUrl, authEmulatorHost, firestoreEmulatorHost, databaseEmulatorHost },
  name,
  root = webDir,
  { minify = true } = {},
) {
  mkdirSync(resultsDir, { recursive: true });
  const outDir = mkdtempSync(path.join(resultsDir, `${name}-`));
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
  await build({ root, logLevel: "warn", build: { outDir, emptyOutDir: true, minify } });
  const server = await preview({
    root,
    logLevel: "warn",
    build: { outDir },
    preview: { host: "127.0.0.1", port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
