#!/usr/bin/env node
// Browser tests against the real functions: starts the backend (e2e/backend.py), builds the
// client for it, serves the build, and runs e2e/*.e2e.mjs with node:test in Chromium.
// Usage: npm run e2e [-- e2e/accounts.e2e.mjs]
// Env: CHROMIUM_PATH (default /usr/bin/chromium), FLOWCHAT_PYTHON (default ../.venv/bin/python).
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { buildAndServe, chromium, requireTools, resultsDir, startBackend, stopBackend, webDir } from "./harness.mjs";

requireTools("e2e");

const testFiles = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(path.join(webDir, "e2e"))
      .filter((name) => name.endsWith(".e2e.mjs"))
      .map((name) => path.join("e2e", name));

const backend = startBackend();
let client;
let exitCode = 1;
try {
  const hosts = await backend.ready;
  console.log(`e2e: functions at ${hosts.functionsUrl}, Auth emulator at ${hosts.authEmulatorHost}`);
  client = await buildAndServe(hosts, "e2e-dist");
  const baseUrl = client.baseUrl;
  console.log(`e2e: client at ${baseUrl}`);

  const tests = spawn(process.execPath, ["--test", "--test-concurrency=1", ...testFiles], {
    cwd: webDir,
    stdio: "inherit",
    env: {
      ...process.env,
      E2E_BASE_URL: baseUrl,
      CHROMIUM_PATH: chromium,
      E2E_RESULTS_DIR: resultsDir,
      // For tests that do to Firestore what a developer's machine can (recovery.e2e.mjs).
      E2E_FIRESTORE_EMULATOR_HOST: hosts.firestoreEmulatorHost,
      // The Realtime Database emulator, read as admin (offline-first.e2e.mjs: the focus node).
      E2E_DATABASE_EMULATOR_HOST: hosts.databaseEmulatorHost,
      // The mail emulator's Mailpit-style API, where tests read the mails the functions send.
      E2E_MAIL_URL: hosts.mailUrl,
      // A local web site with OpenGraph pages, which the functions may fetch for link previews.
      E2E_LINK_ORIGIN_URL: hosts.linkOriginUrl,
      // For tests that run a scheduled function at once (sendMissedMessages), as Cloud
      // Scheduler's "force run" does.
      E2E_FUNCTIONS_URL: hosts.functionsUrl,
    },
  });
  exitCode = await new Promise((resolve) => tests.once("exit", (code) => resolve(code ?? 1)));
  if (exitCode !== 0)
    console.error(`e2e: backend log tail:\n${backend.log.join("").split("\n").slice(-40).join("\n")}`);
} catch (error) {
  console.error(error);
} finally {
  await client?.close();
  await stopBackend(backend.child);
}
process.exit(exitCode);
