import { lazy, Suspense } from "react";
import { BrowserRouter, Link, Route, Routes } from "react-router";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { LoginPage } from "@/features/auth/login-page";
import { RequireSession, SignedOutOnly } from "@/features/auth/require-session";
import { SessionProvider } from "@/features/auth/session-context";
import type { SessionStore } from "@/features/auth/session-store";
import { SignupPage } from "@/features/auth/signup-page";
import { LiveChatProvider } from "@/features/chat/live-chat-provider";
import { ThemeProvider } from "@/features/theme/theme-provider";

// The signed-in app loads after log-in, so the log-in screen stays small.
const AppShell = lazy(() => import("@/features/shell/app-shell").then((module) => ({ default: module.AppShell })));
const EmptyConversation = lazy(() =>
  import("@/features/shell/empty-conversation").then((module) => ({ default: module.EmptyConversation })),
);
const ConversationPage = lazy(() =>
  import("@/features/chat/conversation-page").then((module) => ({ default: module.ConversationPage })),
);
const JoinRoomPage = lazy(() =>
  import("@/features/chat/rooms/join-room-page").then((module) => ({ default: module.JoinRoomPage })),
);
const ProfilePage = lazy(() => import("@/features/profile/profile-page").then((module) => ({ default: module.ProfilePage })));

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
                  <Route path="/login" element={<SignedOutOnly><LoginPage /></SignedOutOnly>} />
                  <Route path="/signup" element={<SignedOutOnly><SignupPage /></SignedOutOnly>} />
                  <Route path="/" element={<RequireSession><AppShell /></RequireSession>}>
                    <Route index element={<EmptyConversation />} />
                    <Route path="rooms/:roomId" element={<ConversationPage />} />
                    <Route path="join/:roomId" element={<JoinRoomPage />} />
                    <Route path="u/:username" element={<ProfilePage />} />
                    <Route path="*" element={<NotFound />} />
                  </Route>
                </Routes>
              </Suspense>
            </BrowserRouter>
            <Toaster position="top-center" />
          </LiveChatProvider>
        </SessionProvider>
      </TooltipProvider>
    </ThemeProvider>
  );
}
