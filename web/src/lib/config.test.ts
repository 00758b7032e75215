import { describe, expect, it } from "vitest";
import { readConfig } from "./config";

describe("readConfig", () => {
  it("uses the local emulators and the demo project by default in dev", () => {
    const config = readConfig({ DEV: true } as ImportMetaEnv & { DEV: boolean });
    expect(config.firebase.projectId).toBe("demo-flowchat");
    expect(config.emulators).toEqual({
      auth: "http://127.0.0.1:9099",
      firestore: { host: "127.0.0.1", port: 8080 },
      database: { host: "127.0.0.1", port: 9000 },
    });
    expect(config.functionsUrl).toBe("http://127.0.0.1:5001/demo-flowchat/us-central1");
  });

  it("takes emulator hosts and the functions URL from env", () => {
    const config = readConfig({
      DEV: true,
      VITE_AUTH_EMULATOR_HOST: "127.0.0.1:19099",
      VITE_FIRESTORE_EMULATOR_HOST: "localhost:18080",
      VITE_DATABASE_EMULATOR_HOST: "127.0.0.1:19000",
      VITE_FUNCTIONS_URL: "http://127.0.0.1:15001/demo-flowchat/us-central1/",
    } as ImportMetaEnv & { DEV: boolean });
    expect(config.emulators).toEqual({
      auth: "http://127.0.0.1:19099",
      firestore: { host: "localhost", port: 18080 },
      database: { host: "127.0.0.1", port: 19000 },
    });
    expect(config.functionsUrl).toBe("http://127.0.0.1:15001/demo-flowchat/us-central1");
  });

  it("talks to a real project when emulators are off", () => {
    const config = readConfig({
      DEV: false,
      VITE_USE_EMULATORS: "false",
      VITE_FIREBASE_API_KEY: "AIza-test",
      VITE_FIREBASE_PROJECT_ID: "flowchat-prod",
      VITE_FIREBASE_DATABASE_URL: "https://flowchat-prod-default-rtdb.europe-west1.firebasedatabase.app",
      VITE_FUNCTIONS_URL: "https://europe-west1-flowchat-prod.cloudfunctions.net",
    } as ImportMetaEnv & { DEV: boolean });
    expect(config.emulators).toBeNull();
    expect(config.firebase).toMatchObject({ apiKey: "AIza-test", projectId: "flowchat-prod" });
    expect(config.functionsUrl).toBe("https://europe-west1-flowchat-prod.cloudfunctions.net");
  });

  it("refuses to start against a real project without an API key", () => {
    expect(() => readConfig({ VITE_USE_EMULATORS: "false" } as ImportMetaEnv)).toThrow(/VITE_FIREBASE_API_KEY/);
  });

  it("rejects a malformed emulator host", () => {
    expect(() =>
      readConfig({ DEV: true, VITE_FIRESTORE_EMULATOR_HOST: "localhost" } as ImportMetaEnv & { DEV: boolean }),
    ).toThrow(/host:port/);
  });

  it("takes the web push key from VITE_FIREBASE_VAPID_KEY, and has none by default", () => {
    expect(readConfig({ DEV: true } as ImportMetaEnv & { DEV: boolean }).vapidKey).toBeNull();
    expect(
      readConfig({ DEV: true, VITE_FIREBASE_VAPID_KEY: " BPk3-key " } as ImportMetaEnv & { DEV: boolean }).vapidKey,
    ).toBe("BPk3-key");
  });

  it("keeps Firestore's cache in IndexedDB unless VITE_FIRESTORE_CACHE says memory", () => {
    const dev = (extra: Partial<ImportMetaEnv>) => ({ DEV: true, ...extra }) as ImportMetaEnv & { DEV: boolean };
    expect(readConfig(dev({})).firestoreCache).toBe("persistent");
    expect(readConfig(dev({ VITE_FIRESTORE_CACHE: "memory" })).firestoreCache).toBe("memory");
    expect(() => readConfig(dev({ VITE_FIRESTORE_CACHE: "disk" }))).toThrow(/VITE_FIRESTORE_CACHE/);
  });
});
