import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, preloadSignedInRoute } from "./app";
import { createAppSession } from "./features/auth/app-session";
import { paintsFromLastKnownState, preloadLiveChat } from "./features/chat/paint-first";
import { registerServiceWorker } from "./features/pwa/register-service-worker";
import { markLoad } from "./lib/load-marks";
import "./index.css";

markLoad("app-start");
const session = createAppSession();
void session.start();
markLoad("session-known", { status: session.getState().status });
const { status, user } = session.getState();
if (status === "signed-in") {
  preloadSignedInRoute(window.location.pathname);
  // A cold load waits for Firestore's answer: its SDK loads now, not after Firebase Auth.
  if (user && !paintsFromLastKnownState(user.id)) preloadLiveChat();
}
registerServiceWorker();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App session={session} />
  </StrictMode>,
);
