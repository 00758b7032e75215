// Provides the real chat data (Firestore + RTDB) and the room functions while someone is
// signed in. The Firebase SDK modules load after sign-in, so the log-in page stays small.
import { useEffect, useState, type ReactNode } from "react";
import { useSession } from "@/features/auth/session-context";
import { ChatDataProvider } from "./chat-data-context";
import { DeferredChatSource } from "./firestore/deferred-chat-source";
import { RoomActionsProvider, type RoomActions } from "./rooms/room-actions";
import { followPresence } from "@/features/presence/follow-presence";

interface Connection {
  uid: string;
  source: DeferredChatSource;
}

export function LiveChatProvider({ children }: { children: ReactNode }) {
  const { status, user, firebase } = useSession();
  const uid = status === "signed-in" ? (user?.id ?? null) : null;
  const [connection, setConnection] = useState<Connection | null>(null);
  const [actions, setActions] = useState<RoomActions | null>(null);
  // The connection once Firebase Auth has signed in as its user. It stays connected if Firebase
  // later reports trouble (the SDKs retry on their own) and ends only with the session.
  const [live, setLive] = useState<Connection | null>(null);

  // One deferred source per signed-in user, handed out at once.
  useEffect(() => {
    setConnection(uid ? { uid, source: new DeferredChatSource() } : null);
    setLive(null);
    setActions(null);
  }, [uid]);

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
    import("./firestore/connect")
      .then(({ connectChat }) => connectChat(connection.uid, () => !cancelled))
      .then((connected) => {
        if (!connected) return;
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
        if (!cancelled) connection.source.fail(error instanceof Error ? error : new Error(String(error)));
      });
    return () => {
      cancelled = true;
      stopPresence?.();
      void dispose?.();
    };
  }, [live]);

  return (
    <ChatDataProvider source={connection?.source ?? null}>
      <RoomActionsProvider actions={actions}>{children}</RoomActionsProvider>
    </ChatDataProvider>
  );
}
