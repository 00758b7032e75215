import { lazy, Suspense, type ComponentType } from "react";
import { BrowserRouter, Link, Route, Routes } from "react-router";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { ForgotPasswordPage } from "@/features/account/forgot-password-page";
import { ResetPasswordPage } from "@/features/account/reset-password-page";
import { VerifyEmailPage } from "@/features/account/verify-email-page";
import { LoginPage } from "@/features/auth/login-page";
import { RequireSession, SignedOutOnly } from "@/features/auth/require-session";
import { SessionProvider } from "@/features/auth/session-context";
import type { SessionStore } from "@/features/auth/session-store";
import { SignupPage } from "@/features/auth/signup-page";
import { LiveChatProvider } from "@/features/chat/live-chat-provider";
import { PushWiring } from "@/features/push/push-wiring";
import { ThemeProvider } from "@/features/theme/theme-provider";

/**
 * A component loaded on first use, once. When its code has already loaded (preloaded, see
 * preloadSignedInRoute) React gets it at once instead of suspending for a turn and
 * rendering the fallback first: lazy() takes any thenable, and this one answers synchronously.
 */
function preloadable<T>(load: () => Promise<T>, pick: (module: T) => ComponentType) {
  let loading: Promise<T> | undefined;
  let loaded: { default: ComponentType } | undefined;
  const start = () =>
    (loading ??= load().then((module) => {
      loaded = { default: pick(module) };
      return module;
    }));
  const Component = lazy(() => {
    if (loaded) {
      const ready = loaded;
      return { then: (resolve: (value: { default: ComponentType }) => void) => resolve(ready) } as unknown as Promise<{
        default: ComponentType;
      }>;
    }
    return start()
      .then(pick)
      .then((component) => ({ default: component }));
  });
  return { Component, preload: start };
}

// The signed-in app loads after log-in, so the log-in screen stays small.
const shell = preloadable(
  () => import("@/features/shell/app-shell"),
  (module) => module.AppShell,
);
const conversation = preloadable(
  () => import("@/features/chat/conversation-page"),
  (module) => module.ConversationPage,
);
const AppShell = shell.Component;
const EmptyConversation = lazy(() =>
  import("@/features/shell/empty-conversation").then((module) => ({ default: module.EmptyConversation })),
);
const ConversationPage = conversation.Component;

/**
 * Starts loading the code a signed-in page needs before React gets to it: rendered in turn,
 * the shell's chunk and then the conversation's would load one after the other.
 */
export function preloadSignedInRoute(pathname: string): void {
  const ignore = () => {}; // a failure shows when the route renders
  shell.preload().catch(ignore);
  if (/^\/(rooms|r)\//.test(pathname)) conversation.preload().catch(ignore);
}
const JoinRoomPage = lazy(() =>
  import("@/features/chat/rooms/join-room-page").then((module) => ({ default: module.JoinRoomPage })),
);
const AccountSettingsPage = lazy(() =>
  import("@/features/account/account-settings-page").then((module) => ({ default: module.AccountSettingsPage })),
);
const SearchPage = lazy(() =>
  import("@/features/search/search-page").then((module) => ({ default: module.SearchPage })),
);
const ProfilePage = lazy(() =>
  import("@/features/profile/profile-page").then((module) => ({ default: module.ProfilePage })),
);

function NotFound() {
  return (
    <div className="grid h-full place-content-center gap-2 p-8 text-center">
      <h1 className="text-lg font-semibold">Page not found</h1>
      <Link to="/" className="text-sm text-primary underline-offset-4 hover:underline">
        Back to your conversations
      </Link>
    </div>
  );
}

export function App({ session }: { session: SessionStore }) {
  return (
    <ThemeProvider>
      <TooltipProvider>
        <SessionProvider store={session}>
          {/* Firestore + RTDB chat data and the room functions while signed in. */}
          <LiveChatProvider>
            <BrowserRouter>
              <Suspense fallback={null}>
                <Routes>
                  <Route
                    path="/login"
                    element={
                      <SignedOutOnly>
                        <LoginPage />
                      </SignedOutOnly>
                    }
                  />
                  <Route
                    path="/signup"
                    element={
                      <SignedOutOnly>
                        <SignupPage />
                      </SignedOutOnly>
                    }
                  />
                  <Route
                    path="/forgot-password"
                    element={
                      <SignedOutOnly>
                        <ForgotPasswordPage />
                      </SignedOutOnly>
                    }
                  />
                  {/* Links from mails: they work whether or not this browser is signed in. */}
                  <Route path="/reset-password" element={<ResetPasswordPage />} />
                  <Route path="/verify-email" element={<VerifyEmailPage />} />
                  <Route
                    path="/"
                    element={
                      <RequireSession>
                        <AppShell />
                      </RequireSession>
                    }
                  >
                    <Route index element={<EmptyConversation />} />
                    <Route path="rooms/:roomId" element={<ConversationPage />} />
                    <Route path="r/:roomId/m/:messageId" element={<ConversationPage />} />
                    <Route path="join/:roomId" element={<JoinRoomPage />} />
                    <Route path="u/:username" element={<ProfilePage />} />
                    <Route path="settings/account" element={<AccountSettingsPage />} />
                    <Route path="search" element={<SearchPage />} />
                    <Route path="*" element={<NotFound />} />
                  </Route>
                </Routes>
              </Suspense>
              <PushWiring />
            </BrowserRouter>
            <Toaster position="top-center" />
          </LiveChatProvider>
        </SessionProvider>
      </TooltipProvider>
    </ThemeProvider>
  );
}
