// Loaded on demand after sign-in: opens Firestore and the Realtime Database for this user.
import { getFirestoreDb, getRealtimeDb } from "@/lib/firebase";
import { FirestoreChatSource } from "./firestore-chat-source";
import { CallableRoomActions } from "./room-functions";

/** null when `stillWanted()` turned false while the SDKs loaded (nothing was started then). */
export async function connectChat(
  uid: string,
  stillWanted: () => boolean,
): Promise<{ source: FirestoreChatSource; actions: CallableRoomActions } | null> {
  const [db, rtdb] = await Promise.all([getFirestoreDb(), getRealtimeDb()]);
  if (!stillWanted()) return null;
  return { source: new FirestoreChatSource(db, rtdb, uid), actions: new CallableRoomActions() };
}
