import { act, fireEvent, render, screen } from "@testing-library/react";
import { Toaster } from "sonner";
import { afterEach, describe, expect, it, vi } from "vitest";

// The service worker's lifecycle cannot run in jsdom: vite-plugin-pwa's registerSW is replaced
// by one that hands the test its callbacks (the real one is exercised in e2e/offline-first).
const registration = vi.hoisted(() => ({
  options: null as null | { onNeedRefresh?: () => void },
  update: vi.fn(async (_reload?: boolean) => {}),
}));
vi.mock("virtual:pwa-register", () => ({
  registerSW: (options: { onNeedRefresh?: () => void }) => {
    registration.options = options;
    return registration.update;
  },
}));

const { registerServiceWorker } = await import("./register-service-worker");

describe("registerServiceWorker", () => {
  afterEach(() => {
    registration.options = null;
    registration.update.mockClear();
  });

  it("offers a new version with a Reload button that activates it", async () => {
    Object.defineProperty(navigator, "serviceWorker", { value: {}, configurable: true });
    render(<Toaster />);
    registerServiceWorker();
    expect(registration.options).not.toBeNull();

    act(() => registration.options?.onNeedRefresh?.());
    expect(await screen.findByText("New version available")).toBeInTheDocument();
    // A plain click: sonner's pointer handlers need setPointerCapture, which jsdom lacks.
    fireEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(registration.update).toHaveBeenCalledWith(true);
  });
});
