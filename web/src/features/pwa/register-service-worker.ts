// Registers the service worker (src/sw/service-worker.ts) and, when a new version of FlowChat
// is waiting, offers to reload into it with a toast that stays until answered.
import { registerSW } from "virtual:pwa-register";
import { toast } from "sonner";

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return;
  const updateServiceWorker = registerSW({
    onNeedRefresh() {
      toast("New version available", {
        id: "flowchat-update",
        description: "Reload to start using it.",
        duration: Infinity,
        action: { label: "Reload", onClick: () => void updateServiceWorker(true) },
      });
    },
    onRegisterError(error: unknown) {
      console.warn("service worker: registration failed", error);
    },
  });
}
