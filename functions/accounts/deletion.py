"""Deleting one's account (policy in docs/accounts.md).

In one PostgreSQL transaction: the person leaves every room (a room whose only owner they
were passes to the longest-standing admin, else member; a group left empty is archived),
their invites, blocks, device tokens, mail links and uploads' records go, every session
ends and every Firebase sign-in is revoked, and the account row is anonymised (it stays,
as rooms and messages refer to it; its public profile then reads "Deleted user"). The
membership mirror and the profile follow through the outbox, as for any change. After the
commit: their notifications and presence go from Firestore and the Realtime Database,
their files from Cloudinary, and their Firebase Auth account. Their messages stay in the
conversations others are part of, shown as sent by "Deleted user".
"""

from __future__ import annotations

import firestore_paths
import logs
import mirror
from accounts import firebase, recovery
from db import outbox as mirror_outbox
from db import pool, revocations, rooms, sessions, users
from mail import outbox
from rooms.direct_key import direct_members

log = logs.get(__name__)

USERNAME_HOLD_DAYS = 30


def delete(user_id: str, password: str) -> None:
    account = recovery.confirm_password(user_id, password, field="password")
    with pool.transaction() as conn:
        room_ids = _leave_every_room(conn, user_id)
        files = conn.execute(
            """DELETE FROM uploads WHERE uploader_id = %s
               RETURNING public_id, resource_type""",
            (user_id,),
        ).fetchall()
        for table, column in (
            ("invites", "inviter_id"),
            ("invites", "invitee_id"),
            ("blocks", "blocker_id"),
            ("blocks", "blocked_id"),
            ("device_tokens", "user_id"),
            ("mail_tokens", "user_id"),
            ("missed_messages", "user_id"),
            ("notification_settings", "user_id"),
        ):
            conn.execute(f"DELETE FROM {table} WHERE {column} = %s", (user_id,))
        sessions.revoke_all(conn, user_id, reason="account deleted")
        revocations.revoke(conn, user_id)
        # Queued before the address is erased; the row's text is cleared once it is sent.
        mail_id = outbox.queue(
            conn, account["email"], "account_deleted", name=account["display_name"]
        )
        users.erase(conn, user_id, hold_days=USERNAME_HOLD_DAYS)
        mirror_outbox.add(conn, "user", user_id)
    for room_id in room_ids:
        mirror.apply_quietly("room", room_id)
    mirror.apply_quietly("user", user_id)
    mirror.apply_quietly("revocation", user_id)
    outbox.kick([mail_id])
    _erase_outside_postgres(user_id, files)


def _leave_every_room(conn, user_id: str) -> list[str]:
    room_ids = []
    for room in rooms.rooms_of(conn, user_id):
        room_id = room["id"]
        touched = [user_id]
        if room["kind"] == "direct":  # the other person may no longer post there
            touched += [uid for uid in direct_members(room["direct_key"]) if uid != user_id]
        if room["role"] == "owner" and rooms.count_members(conn, room_id, "owner") == 1:
            heir = rooms.successor(conn, room_id, user_id)
            if heir is not None:
                rooms.set_member(conn, room_id, heir, role="owner")
                touched.append(heir)
        rooms.remove_member(conn, room_id, user_id)
        if room["kind"] == "group" and rooms.count_members(conn, room_id) == 0:
            rooms.archive(conn, room_id)
        mirror_outbox.add(conn, "room", room_id, touched)
        room_ids.append(room_id)
    return room_ids


def _erase_outside_postgres(user_id: str, files: list[dict]) -> None:
    """Best effort, each part on its own: PostgreSQL already holds the deletion."""
    import clients
    from media import cloudinary_account

    steps = {
        "notifications": lambda: _delete_collection(
            clients.firestore().collection(firestore_paths.notifications(user_id))
        ),
        "presence": lambda: clients.database_reference(f"status/{user_id}").delete(),
        "firebase account": lambda: firebase.delete_user(user_id),
    }
    for file in files:
        steps[f"file {file['public_id']}"] = lambda file=file: _destroy(
            cloudinary_account, file["public_id"], file["resource_type"]
        )
    for what, step in steps.items():
        try:
            step()
        except Exception:
            log.warning("deleting %s of %s failed", what, user_id, exc_info=True)


def _delete_collection(collection) -> None:
    while True:
        documents = list(collection.limit(200).stream())
        if not documents:
            return
        batch = collection._client.batch()
        for document in documents:
            batch.delete(document.reference)
        batch.commit()


def _destroy(cloudinary_account, public_id: str, resource_type: str) -> None:
    import cloudinary.uploader

    cloudinary_account.config()
    cloudinary.uploader.destroy(public_id, resource_type=resource_type, invalidate=True)
