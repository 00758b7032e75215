// Provides the real chat data (Firestore + RTDB) and the room functions while someone is
// signed in. The Firebase SDK modules load after sign-in, so the log-in page stays small.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { useSession } from "@/features/auth/session-context";
import { ChatDataProvider } from "./chat-data-context";
import { DeferredChatSource } from "./firestore/deferred-chat-source";
import { openLastKnownState, type LastKnownState } from "./last-known-state";
import { RoomActionsProvider, type RoomActions } from "./rooms/room-actions";
import { followPresence } from "@/features/presence/follow-presence";
import { markLoad } from "@/lib/load-marks";
import { afterLastKnownPaint } from "./paint-first";

/** Tests render the provider without a browser's storage. */
function lastKnownStateFor(uid: string): LastKnownState | null {
  return typeof window === "undefined" ? null : openLastKnownState(uid);
}

interface Connection {
  uid: string;
  attempt: number;
  source: DeferredChatSource;
}

export function LiveChatProvider({ children }: { children: ReactNode }) {
  const { status, user, firebase } = useSession();
  const uid = status === "signed-in" ? (user?.id ?? null) : null;
  const [actions, setActions] = useState<RoomActions | null>(null);
  // The connection once Firebase Auth has signed in as its user. It stays connected if Firebase
  // later reports trouble (the SDKs retry on their own) and ends only with the session.
  const [live, setLive] = useState<Connection | null>(null);
  // A connection that failed is made again when someone asks to retry.
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const reconnect = useCallback(() => {
    if (failed) setAttempt((count) => count + 1);
  }, [failed]);

  // One deferred source per signed-in user (and attempt), there from the first render on, so
  // the person's last known state paints at once (before Firebase Auth or Firestore are ready).
  const connection = useMemo<Connection | null>(
    () => (uid ? { uid, attempt, source: new DeferredChatSource(lastKnownStateFor(uid)) } : null),
    [uid, attempt],
  );
  useEffect(() => {
    setLive(null);
    setActions(null);
    setFailed(false);
    // Until the session ends or the connection is made again.
    return connection?.source.keepLastKnown();
  }, [connection]);

  useEffect(() => {
    if (connection && firebase === "signed-in") setLive(connection);
  }, [connection, firebase]);

  // The real source for a live connection.
  useEffect(() => {
    if (!live) return;
    const connection = live;
    let cancelled = false;
    let dispose: (() => Promise<void>) | null = null;
    let stopPresence: (() => void) | null = null;
    // The Firebase SDKs load once the room this page opened on has painted (paint-first.ts).
    const painting = afterLastKnownPaint(connection.uid);
    painting
      .then(() => import("./firestore/connect"))
      .then(({ connectChat }) => connectChat(connection.uid, () => !cancelled))
      .then((connected) => {
        if (!connected) return;
        markLoad("chat-connected");
        const { source, actions: roomActions } = connected;
        if (cancelled) {
          void source.dispose();
          return;
        }
        dispose = () => source.dispose();
        connection.source.resolve(source);
        setActions(roomActions);
        stopPresence = followPresence((state) => {
          source.setOwnPresence(state).catch(() => {
            // Presence is best effort.
          });
        });
      })
      .catch((error: unknown) => {
        console.error("chat: could not connect", error);
        if (cancelled) return;
        connection.source.fail(error instanceof Error ? error : new Error(String(error)));
        setFailed(true);
      });
    return () => {
      cancelled = true;
      stopPresence?.();
      void dispose?.();
    };
  }, [live]);

  return (
    <ChatDataProvider source={connection?.source ?? null} onRetry={reconnect}>
      <RoomActionsProvider actions={actions}>{children}</RoomActionsProvider>
    </ChatDataProvider>
  );
}
