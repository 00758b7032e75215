import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadSignedInRoute } from "./app";
import { createAppSession } from "./features/auth/app-session";
import { afterLastFramePaints, dropLastFrame } from "./features/chat/last-frame";
import { PAINT_FIRST_MAX_MS, paintsFromLastKnownState, preloadLiveChat } from "./features/chat/paint-first";
import { registerServiceWorker } from "./features/pwa/register-service-worker";
import { APP_MESSAGES_PAINT_MARK, markLoad, whenMarked } from "./lib/load-marks";
import "./index.css";

markLoad("app-start");
// The last frame index.html may have painted reaches the screen before the app's own work.
void afterLastFramePaints().then(start);

function start(): void {
  const session = createAppSession();
  void session.start();
  markLoad("session-known", { status: session.getState().status });
  const { status, user } = session.getState();
  // The last frame (features/chat/last-frame.ts) goes when React paints the room's messages,
  // or at once when nobody is signed in; and in any case once that has had its time (the
  // room may be gone, or the session over).
  if (status === "signed-in") {
    void whenMarked(APP_MESSAGES_PAINT_MARK, PAINT_FIRST_MAX_MS).then(() => dropLastFrame());
    preloadSignedInRoute(window.location.pathname);
    // A cold load waits for Firestore's answer: its SDK loads now, not after Firebase Auth.
    if (user && !paintsFromLastKnownState(user.id)) preloadLiveChat();
  } else {
    dropLastFrame();
  }
  registerServiceWorker();

  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App session={session} />
    </StrictMode>,
  );
}
