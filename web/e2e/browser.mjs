// Chromium via playwright-core, from the system package (no browser downloads here).
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

export const baseUrl = process.env.E2E_BASE_URL ?? "http://127.0.0.1:4173";
const screenshotDir = path.join(process.env.E2E_RESULTS_DIR ?? "test-results", "screenshots");

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Messages written with admin rights straight into the Firestore emulator, as if sent at
 * `createdAt` (clients can only send "now"); the message trigger handles them as any other
 * (numbers, indexes, notifies). */
export async function writeMessages(roomId, messages) {
  const host = process.env.E2E_FIRESTORE_EMULATOR_HOST;
  if (!host) throw new Error("E2E_FIRESTORE_EMULATOR_HOST is set by e2e/run.mjs");
  const documents = "projects/demo-flowchat/databases/(default)/documents";
  const response = await fetch(`http://${host}/v1/${documents}:commit`, {
    method: "POST",
    headers: { Authorization: "Bearer owner", "Content-Type": "application/json" },
    body: JSON.stringify({
      writes: messages.map((message) => ({
        update: {
          name: `${documents}/rooms/${roomId}/messages/${message.id}`,
          fields: {
            senderId: { stringValue: message.senderId },
            text: { stringValue: message.text },
            createdAt: { timestampValue: message.createdAt.toISOString() },
          },
        },
      })),
    }),
  });
  if (response.status !== 200) throw new Error(`commit answered ${response.status}: ${await response.text()}`);
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** A fresh, valid account each run; usernames must be 3-30 letters, digits, '_' or '.'. */
export function newAccount(label = "e2e") {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  return {
    email: `${label}.${suffix}@example.com`,
    username: `${label}_${suffix}`,
    displayName: "Robin Meyer",
    password: `horse battery ${suffix}`,
  };
}

/**
 * A person with their own browser context who has just signed up through the form.
 * Page errors are collected into `pageErrors`; `prepare(context)` runs before the page opens.
 */
export async function signUpPerson(browser, label, displayName, { pageErrors, prepare } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    reducedMotion: "reduce",
  });
  if (prepare) await prepare(context);
  const page = await context.newPage();
  if (pageErrors) page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
  const account = { ...newAccount(label), displayName };
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Username").fill(account.username);
  await page.getByLabel("Display name").fill(account.displayName);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("No conversations yet").waitFor();
  return { context, page, account };
}

/** The uid Firebase Auth has persisted in this page's origin, or null. */
export function firebaseUid(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("firebaseLocalStorageDb");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("firebaseLocalStorage")) return resolve(null);
          const all = db.transaction("firebaseLocalStorage").objectStore("firebaseLocalStorage").getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            const entry = all.result.find((row) => String(row.fbase_key).startsWith("firebase:authUser:"));
            resolve(entry?.value?.uid ?? null);
          };
        };
      }),
  );
}

/** The FlowChat user id of the stored session, or null. */
export function sessionUserId(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("flowchat.session") ?? "null")?.user?.id ?? null);
}

/** Waits until Firebase Auth has persisted `uid` (null: signed out); returns what it saw last. */
export async function waitForFirebaseUid(page, uid, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = await firebaseUid(page);
  while (seen !== uid && Date.now() < deadline) {
    await page.waitForTimeout(100);
    seen = await firebaseUid(page);
  }
  return seen;
}

/** The value of a text field once it is `expected` (or after `timeoutMs`): a change made from
 * outside React's own events (a web component's callback) renders a task later, after the
 * click that caused it has returned. */
export async function settledValue(field, expected, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await field.inputValue();
  while (value !== expected && Date.now() < deadline) {
    await field.page().waitForTimeout(50);
    value = await field.inputValue();
  }
  return value;
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's WCAG 2.x A/AA checks on the current page; returns the violations found. */
export async function accessibilityViolations(page) {
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
}
