// The person's notifications in Firestore. Imported only by the Firestore chat source, so
// firebase/firestore stays out of the first page load.
import {
  collection,
  doc,
  getDocs,
  limit as limitTo,
  onSnapshot,
  orderBy,
  query,
  updateDoc,
  where,
  type Firestore,
} from "firebase/firestore";
import type { Subscriber, Unsubscribe } from "@/features/chat/data-source";
import { toAppNotification, type NotificationFields } from "./notification-documents";
import type { AppNotification, NotificationsPage } from "./types";

function notificationsOf(db: Firestore, uid: string) {
  return collection(db, "users", uid, "notifications");
}

/** Unread notifications, newest first (index: read ASC, createdAt DESC), live. */
export function watchUnreadNotifications(
  db: Firestore,
  uid: string,
  limit: number,
  subscriber: Subscriber<NotificationsPage>,
): Unsubscribe {
  const unread = query(
    notificationsOf(db, uid),
    where("read", "==", false),
    orderBy("createdAt", "desc"),
    limitTo(limit + 1),
  );
  return onSnapshot(
    unread,
    // Metadata changes too, so that a snapshot which only moves from "cache" to "server" (the
    // documents may already be cached by the room list's listener) is delivered: new-arrival
    // detection waits for a snapshot from the server.
    { includeMetadataChanges: true },
    (snapshot) => {
      const items = snapshot.docs
        .map((item) => toAppNotification(item.id, item.data({ serverTimestamps: "estimate" }) as NotificationFields))
        .filter((item): item is AppNotification => item !== null);
      subscriber.next({
        items: items.slice(0, limit),
        hasMore: snapshot.docs.length > limit,
        fromCache: snapshot.metadata.fromCache,
      });
    },
    (error) => subscriber.error?.(error instanceof Error ? error : new Error(String(error))),
  );
}

/**
 * Sets `read: true` (the only change the rules allow) on each; one that is gone (deleted) is
 * skipped. Tries them all, then rejects with the first other failure.
 */
export async function markNotificationsRead(db: Firestore, uid: string, ids: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(
    ids.map((id) => updateDoc(doc(notificationsOf(db, uid), id), { read: true })),
  );
  const failure = results.find(
    (result): result is PromiseRejectedResult =>
      result.status === "rejected" && (result.reason as { code?: string } | null)?.code !== "not-found",
  );
  if (failure) throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
}

/** Every unread notification, not only the ones on screen. */
export async function markAllNotificationsRead(db: Firestore, uid: string): Promise<void> {
  const unread = await getDocs(query(notificationsOf(db, uid), where("read", "==", false)));
  await markNotificationsRead(
    db,
    uid,
    unread.docs.map((item) => item.id),
  );
}
