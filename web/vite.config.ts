import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import type { Plugin, Rolldown } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";
import { LAST_FRAME_NAMES, paintLastFrame } from "./src/features/chat/last-frame.ts";
import { startColdPreload } from "./src/lib/cold-preload.ts";

/**
 * index.html gets an inline script (src/lib/cold-preload.ts) that, on a cold load, preloads the
 * chunks of Firebase Auth and of the Firestore/Realtime Database connection (those of
 * src/features/chat/firestore/connect.ts and what it imports), so they download with the entry
 * chunk instead of after it has run.
 */
function coldPreload(): Plugin {
  return {
    name: "flowchat-cold-preload",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, { bundle, chunk: entry }) {
        if (!bundle || !entry) return html;
        const output = bundle;
        const chunks = Object.values(output).filter((item): item is Rolldown.OutputChunk => item.type === "chunk");
        const auth = chunks.find((item) => item.moduleIds.some((id) => id.includes("/node_modules/@firebase/auth/")));
        const connect = chunks.find((item) => item.facadeModuleId?.endsWith("/src/features/chat/firestore/connect.ts"));
        if (!auth || !connect) throw new Error("cold-preload: the Auth or connect chunk is missing from the build");
        // Each chunk and what it imports statically, minus what the entry chunk loads already.
        const loaded = new Set<string>();
        const visit = (file: string) => {
          if (loaded.has(file)) return;
          loaded.add(file);
          const item = output[file];
          if (item?.type === "chunk") item.imports.forEach(visit);
        };
        visit(entry.fileName);
        const before = new Set(loaded);
        visit(auth.fileName);
        visit(connect.fileName);
        const files = [...loaded].filter((file) => !before.has(file)).map((file) => `/${file}`);
        const script = `<script>(${startColdPreload.toString()})(${JSON.stringify(files)});</script>`;
        return html.replace("</head>", `    ${script}\n  </head>`);
      },
    },
  };
}

/**
 * index.html gets an inline script after #root (src/features/chat/last-frame.ts) that paints the
 * last frame of the room this page opens on, before the app's code has run. Built pages only:
 * a frame is kept per build, and the dev server's entry has no build hash.
 */
function lastFrame(): Plugin {
  return {
    name: "flowchat-last-frame",
    apply: "build",
    transformIndexHtml(html) {
      const root = '<div id="root"></div>';
      if (!html.includes(root)) throw new Error("last-frame: index.html has no empty #root");
      const script = `<script>(${paintLastFrame.toString()})(${JSON.stringify(LAST_FRAME_NAMES)});</script>`;
      return html.replace(root, `${root}\n    ${script}`);
    },
  };
}

export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    coldPreload(),
    lastFrame(),
    // The installable app: web app manifest, and a service worker (src/sw/service-worker.ts,
    // Workbox) that precaches the built app and shows pushes. main.tsx registers it and offers
    // "Reload" when a new version is waiting. See docs/web.md, "Installable app and push".
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src/sw",
      filename: "service-worker.ts",
      registerType: "prompt",
      injectRegister: false,
      includeAssets: ["favicon.svg", "icons/apple-touch-icon-180.png"],
      manifest: {
        id: "/",
        name: "FlowChat",
        short_name: "FlowChat",
        description: "FlowChat — real-time chat for teams and friends",
        start_url: "/",
        scope: "/",
        display: "standalone",
        background_color: "#ffffff",
        theme_color: "#4f46e5",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      injectManifest: {
        // The whole built app, lazy chunks included, so every screen opens offline.
        globPatterns: ["**/*.{js,css,html,svg,png,woff2}"],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
    }),
  ],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // A timeout here catches a hang, not slowness: on a loaded machine, rendering tests that
    // take 1 s alone have taken over 5 s (Vitest's default).
    testTimeout: 20_000,
  },
});
