#!/usr/bin/env node
// Builds the client and prints the gzip size of what the first page load needs: the entry
// chunk, every chunk it imports statically, and their CSS. Lazy chunks are listed apart.
// Usage: npm run bench [-- --no-build] [-- --json]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TARGET_BYTES = 250 * 1000;
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(webDir, "dist");
const args = new Set(process.argv.slice(2));

if (!args.has("--no-build")) {
  execFileSync(
    process.execPath,
    [path.join(webDir, "node_modules/vite/bin/vite.js"), "build", "--manifest", "--logLevel", "error"],
    {
      cwd: webDir,
      stdio: "inherit",
    },
  );
}

const manifest = JSON.parse(readFileSync(path.join(outDir, ".vite/manifest.json"), "utf8"));
const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
if (!entryKey) throw new Error("no entry chunk in the Vite manifest");

const initialFiles = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initialFiles.has(chunk.file)) return;
  initialFiles.add(chunk.file);
  for (const css of chunk.css ?? []) initialFiles.add(css);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(entryKey);

const gzipSize = (file) => gzipSync(readFileSync(path.join(outDir, file)), { level: 9 }).length;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const initial = [...initialFiles].map((file) => ({ file, gzip: gzipSize(file) }));
const initialTotal = initial.reduce((sum, entry) => sum + entry.gzip, 0);
const lazy = Object.values(manifest)
  .filter((chunk) => chunk.file.endsWith(".js") && !initialFiles.has(chunk.file))
  .map((chunk) => ({ file: chunk.file, gzip: gzipSize(chunk.file) }));

if (args.has("--json")) {
  console.log(JSON.stringify({ initialGzipBytes: initialTotal, targetBytes: TARGET_BYTES, initial, lazy }, null, 2));
} else {
  console.log("Initial route (JS + CSS, gzip):");
  for (const entry of initial) console.log(`  ${kB(entry.gzip).padStart(9)}  ${entry.file}`);
  console.log(`  ${kB(initialTotal).padStart(9)}  total (target ${kB(TARGET_BYTES)})`);
  console.log("Loaded later (gzip):");
  for (const entry of lazy) console.log(`  ${kB(entry.gzip).padStart(9)}  ${entry.file}`);
}
process.exitCode = initialTotal <= TARGET_BYTES ? 0 : 1;
