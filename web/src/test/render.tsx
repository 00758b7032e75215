import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { TooltipProvider } from "@/components/ui/tooltip";
import { SessionProvider } from "@/features/auth/session-context";
import { ChatDataProvider } from "@/features/chat/chat-data-context";
import type { ChatDataSource } from "@/features/chat/data-source";
import { SessionStore } from "@/features/auth/session-store";
import { ThemeProvider } from "@/features/theme/theme-provider";
import { createFakeFirebase, createFakeServer } from "./fake-api";

export function LocationProbe() {
  const location = useLocation();
  return <p data-testid="location">{location.pathname}</p>;
}

/** Renders `routes` inside the app's providers with an in-memory API, starting at `path`. */
export async function renderWithSession(
  routes: ReactNode,
  options: {
    path?: string;
    signedIn?: boolean;
    chatSource?: ChatDataSource;
    prepare?: (server: ReturnType<typeof createFakeServer>) => void;
  } = {},
) {
  const server = createFakeServer();
  options.prepare?.(server);
  const store = new SessionStore({ api: server.api, storage: localStorage, firebase: createFakeFirebase() });
  await store.start();
  if (options.signedIn) await store.login({ login: "alice", password: "pw" });
  const result = render(
    <ThemeProvider>
      <TooltipProvider>
        <SessionProvider store={store}>
          <ChatDataProvider source={options.chatSource ?? null}>
            <MemoryRouter initialEntries={[options.path ?? "/"]}>
              <Routes>
                {routes}
                <Route path="*" element={<LocationProbe />} />
              </Routes>
            </MemoryRouter>
          </ChatDataProvider>
        </SessionProvider>
      </TooltipProvider>
    </ThemeProvider>,
  );
  return { ...result, server, store };
}
