// What the browser benchmarks share (room-list-bench.mjs, busy-room-bench.mjs): seeding
// through the functions and Firestore REST, the client at an older git ref, logging in.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { newAccount } from "../e2e/browser.mjs";
import { repoRoot, webDir } from "../e2e/harness.mjs";

export const DATABASE = "projects/demo-flowchat/databases/(default)";

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pooled(items, limit, work) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

export async function ok(response, what) {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function register(hosts, label) {
  const account = { ...newAccount(label), displayName: `${label} bench` };
  const body = await ok(
    await fetch(`${hosts.functionsUrl}/register`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        email: account.email,
        username: account.username,
        password: account.password,
        displayName: account.displayName,
      }),
    }),
    "register",
  );
  const signedIn = await ok(
    await fetch(
      `http://${hosts.authEmulatorHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=fake-api-key`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: body.firebaseToken, returnSecureToken: true }),
      },
    ),
    "signInWithCustomToken",
  );
  return { ...account, uid: body.user.id, idToken: signedIn.idToken };
}

export async function call(hosts, person, name, data) {
  const body = await ok(
    await fetch(`${hosts.functionsUrl}/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${person.idToken}` },
      body: JSON.stringify({ data }),
    }),
    name,
  );
  return body.result;
}

export async function commit(hosts, writes) {
  for (let first = 0; first < writes.length; first += 400) {
    await ok(
      await fetch(`http://${hosts.firestoreEmulatorHost}/v1/${DATABASE}/documents:commit`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: "Bearer owner" },
        body: JSON.stringify({ writes: writes.slice(first, first + 400) }),
      }),
      "commit",
    );
  }
}

/** A reader in `count` public groups with two others (Bea and Cal), created through the
 * functions, six at a time: the people and the room ids, in order. */
export async function seedGroups(hosts, count, log) {
  const [reader, ...others] = await Promise.all(["reader", "bea", "cal"].map((label) => register(hosts, label)));
  log(`creating ${count} rooms of three members`);
  const roomIds = await pooled(
    Array.from({ length: count }, (_, index) => index),
    6,
    async (index) => {
      const { roomId } = await call(hosts, reader, "createRoom", {
        name: `Room ${String(index + 1).padStart(3, "0")}`,
        isPrivate: false,
      });
      for (const other of others) await call(hosts, other, "joinRoom", { roomId });
      return roomId;
    },
  );
  return { reader, others, roomIds };
}

export async function listDocuments(hosts, collectionPath) {
  const body = await ok(
    await fetch(`http://${hosts.firestoreEmulatorHost}/v1/${DATABASE}/documents/${collectionPath}?pageSize=5000`, {
      headers: { Authorization: "Bearer owner" },
    }),
    "list",
  );
  return body.documents ?? [];
}

const usageUrl = (hosts) => `http://${hosts.firestoreEmulatorHost}/emulator/v1/projects/demo-flowchat:usage`;

/** Starts the emulator's usage counts (reads, listener_reads, writes, deletes) from zero. */
export async function resetUsage(hosts) {
  await ok(await fetch(usageUrl(hosts), { method: "DELETE" }), "usage reset");
}

/** The emulator's usage counts since the last reset. */
export async function readUsage(hosts) {
  return ok(await fetch(usageUrl(hosts)), "usage");
}

/** Waits until the page's listeners have what they asked for at load (their first snapshots:
 * a room per row of the list, the open room's page), so that counts started afterwards hold
 * only what followed: no document reaches a listener for one whole second (at most 30 s). */
export async function listenersSettled(hosts) {
  const deadline = Date.now() + 30_000;
  let before = (await readUsage(hosts)).listener_reads;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = (await readUsage(hosts)).listener_reads;
    if (now === before) return;
    before = now;
  }
}

/** Waits until the backend has done with the seeding (triggers, mirror), so that its reads
 * and CPU are not charged to a page load. The e2e backend times no schedules (e2e/backend.py):
 * no reconcile pass, which reads every mirrored document (thousands for a person in 300
 * rooms), comes in the middle of a run. Quiet: a whole minute with almost no reads. */
export async function settle(hosts, log) {
  const deadline = Date.now() + 600_000;
  for (;;) {
    await resetUsage(hosts);
    await new Promise((resolve) => setTimeout(resolve, 61_000));
    const usage = await readUsage(hosts);
    const reads = usage.reads + usage.listener_reads;
    if (reads < 50) return;
    if (Date.now() > deadline) throw new Error(`the backend did not go quiet (${reads} reads a minute)`);
    log(`the backend read ${reads} documents in the last minute; waiting for it to go quiet`);
  }
}

/** The client as it was at `ref`: its web/ exported to a temporary folder, sharing this
 * checkout's node_modules. */
export function oldWebAt(ref) {
  const folder = mkdtempSync(path.join(os.tmpdir(), "flowchat-old-web-"));
  const archive = execFileSync("git", ["-C", repoRoot, "archive", ref, "web"], { maxBuffer: 256 * 1024 * 1024 });
  execFileSync("tar", ["-x", "-C", folder], { input: archive });
  symlinkSync(path.join(webDir, "node_modules"), path.join(folder, "web", "node_modules"));
  return { root: path.join(folder, "web"), remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export async function logIn(browser, baseUrl, reader) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) =>
      window.__longTasks.push(...list.getEntries().map((entry) => entry.duration)),
    ).observe({ type: "longtask", buffered: true });
  });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email or username").fill(reader.username);
  await page.getByLabel("Password").fill(reader.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("navigation", { name: "Conversations" }).getByRole("link").first().waitFor({ timeout: 120_000 });
  await page.close();
  return context;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
