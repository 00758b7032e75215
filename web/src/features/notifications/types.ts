// In-app notifications: `users/{uid}/notifications/{roomId}_{messageId}`, written by the
// message trigger for @mentions in groups and for direct messages (docs/architecture.md).

export type NotificationKind = "mention" | "direct";

export interface AppNotification {
  /** `{roomId}_{messageId}` */
  id: string;
  type: NotificationKind;
  roomId: string;
  roomName: string;
  messageId: string;
  senderId: string;
  senderName: string;
  preview: string;
  /** null only while a time is unknown (the trigger always writes one). */
  createdAt: Date | null;
  read: boolean;
  /** Written in the person's quiet hours: listed in the bell, never shown on the desktop. */
  quiet?: boolean;
}

export interface NotificationsPage {
  /** Unread notifications, newest first, at most the limit asked for. */
  items: AppNotification[];
  /** More unread notifications exist beyond the limit. */
  hasMore: boolean;
  /** The snapshot came from the local cache rather than the server. */
  fromCache: boolean;
}
