"""FlowChat's Cloud Functions: each definition wires a trigger to its handler."""

from firebase_admin import initialize_app
from firebase_functions import db_fn, firestore_fn, https_fn, options, scheduler_fn

import handlers
import logs
import settings
from handlers.callable_body import on_call

options.set_global_options(region="us-central1", max_instances=20)
logs.setup()  # JSON lines on stdout, which Cloud Logging reads as structured entries
initialize_app()  # no network: credentials load on first use

# Callables use handlers.callable_body.on_call: the SDK's, with the body checked first.
# Tokens travel in the Authorization header, never in cookies, so any origin may call.
_cors = options.CorsOptions(cors_origins="*", cors_methods=["GET", "POST", "PATCH", "OPTIONS"])
_http = {"cors": _cors, "secrets": settings.SECRETS}
_callable = {"cors": _cors, "secrets": [settings.DATABASE_URL]}
_media = {"cors": _cors, "secrets": [settings.DATABASE_URL, settings.CLOUDINARY_URL]}
_trigger = {"secrets": [settings.DATABASE_URL, settings.CLOUDINARY_URL]}
# Functions that queue mail also try to send it at once, so they hold the SMTP secret.
_mailing = {"cors": _cors, "secrets": [*settings.SECRETS, settings.SMTP_URL]}


# Accounts (HTTP, JSON)


@https_fn.on_request(**_mailing)
def register(request: https_fn.Request) -> https_fn.Response:
    return handlers.accounts.register(request)


@https_fn.on_request(**_http)
def login(request: https_fn.Request) -> https_fn.Response:
    return handlers.accounts.login(request)


@https_fn.on_request(**_http)
def refresh(request: https_fn.Request) -> https_fn.Response:
    return handlers.accounts.refresh(request)


@https_fn.on_request(**_http)
def logout(request: https_fn.Request) -> https_fn.Response:
    return handlers.accounts.logout(request)


@https_fn.on_request(**_mailing)
def requestPasswordReset(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.request_password_reset(request)


@https_fn.on_request(**_mailing)
def resetPassword(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.reset_password(request)


@https_fn.on_request(**_mailing)
def changePassword(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.change_password(request)


@https_fn.on_request(**_mailing)
def requestEmailVerification(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.request_email_verification(request)


@https_fn.on_request(**_mailing)
def requestEmailChange(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.request_email_change(request)


@https_fn.on_request(**_mailing)
def verifyEmail(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.verify_email(request)


@https_fn.on_request(
    cors=_cors,
    secrets=[*settings.SECRETS, settings.SMTP_URL, settings.CLOUDINARY_URL],
)
def deleteAccount(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.delete_account(request)


@https_fn.on_request(**_mailing)
def requestDataExport(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.request_data_export(request)


@https_fn.on_request(**_http)
def downloadDataExport(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.download_data_export(request)


@https_fn.on_request(**_http)
def listSessions(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.list_sessions(request)


@https_fn.on_request(**_http)
def revokeSession(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.revoke_session(request)


@https_fn.on_request(**_http)
def revokeOtherSessions(request: https_fn.Request) -> https_fn.Response:
    return handlers.account_lifecycle.revoke_other_sessions(request)


@https_fn.on_request(**_http)
def me(request: https_fn.Request) -> https_fn.Response:
    return handlers.profiles.me(request)


@https_fn.on_request(**_http)
def updateProfile(request: https_fn.Request) -> https_fn.Response:
    return handlers.profiles.update_profile(request)


@https_fn.on_request(**_http)
def getProfile(request: https_fn.Request) -> https_fn.Response:
    return handlers.profiles.get_profile(request)


# Rooms (callable, Firebase ID token)


@on_call(**_callable)
def createRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.create_room(request)


@on_call(**_callable)
def inviteMember(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.invite_member(request)


@on_call(**_callable)
def acceptInvite(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.accept_invite(request)


@on_call(**_callable)
def declineInvite(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.decline_invite(request)


@on_call(**_callable)
def joinRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.join_room(request)


@on_call(**_callable)
def restoreRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.restore_room(request)


@on_call(**_callable)
def leaveRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.leave_room(request)


@on_call(**_callable)
def removeMember(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.remove_member(request)


@on_call(**_callable)
def setRole(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.set_role(request)


@on_call(**_callable)
def updateRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.update_room(request)


@on_call(**_callable)
def archiveRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.archive_room(request)


@on_call(**_callable)
def muteRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.mute_room(request)


@on_call(**_callable)
def listMyRooms(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.list_my_rooms(request)


@on_call(**_callable)
def listMembers(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.list_members(request)


@on_call(**_callable)
def blockUser(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.block_user(request)


@on_call(**_callable)
def unblockUser(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.unblock_user(request)


@on_call(**_callable)
def registerDeviceToken(request: https_fn.CallableRequest) -> dict:
    return handlers.devices.register_device_token(request)


@on_call(**_callable)
def pinMessage(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.pin_message(request)


@on_call(**_callable)
def unpinMessage(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.unpin_message(request)


@on_call(**_callable)
def getNotificationSettings(request: https_fn.CallableRequest) -> dict:
    return handlers.notification_settings.get_notification_settings(request)


@on_call(**_callable)
def updateNotificationSettings(request: https_fn.CallableRequest) -> dict:
    return handlers.notification_settings.update_notification_settings(request)


@on_call(**_callable)
def unregisterDeviceToken(request: https_fn.CallableRequest) -> dict:
    return handlers.devices.unregister_device_token(request)


@https_fn.on_request(**_http)
def checkPermission(request: https_fn.Request) -> https_fn.Response:
    return handlers.rooms.check_permission(request)


# Search


@on_call(**_callable)
def searchMessages(request: https_fn.CallableRequest) -> dict:
    return handlers.search.search_messages(request)


@on_call(**_callable)
def searchPeople(request: https_fn.CallableRequest) -> dict:
    return handlers.search.search_people(request)


# Media


@on_call(**_media)
def signUpload(request: https_fn.CallableRequest) -> dict:
    return handlers.media.sign_upload(request)


@https_fn.on_request(secrets=[settings.DATABASE_URL, settings.CLOUDINARY_URL])
def cloudinaryNotification(request: https_fn.Request) -> https_fn.Response:
    return handlers.media.cloudinary_notification(request)


# Triggers


@firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}", **_trigger)
def onMessageCreated(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    handlers.triggers.message_created(event)


# Apart from onMessageCreated, so a slow page never holds up notifications or the summary.
@firestore_fn.on_document_created(
    document="rooms/{roomId}/messages/{messageId}", secrets=[settings.CLOUDINARY_URL]
)
def onMessageLinkPreview(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    handlers.triggers.message_link_preview(event)


@firestore_fn.on_document_updated(document="rooms/{roomId}/messages/{messageId}", **_trigger)
def onMessageUpdated(
    event: firestore_fn.Event[firestore_fn.Change[firestore_fn.DocumentSnapshot | None]],
) -> None:
    handlers.triggers.message_updated(event)


@db_fn.on_value_written(reference="status/{uid}", **_trigger)
def onPresenceWritten(event: db_fn.Event[db_fn.Change]) -> None:
    handlers.triggers.presence_written(event)


@scheduler_fn.on_schedule(schedule="every 1 minutes", **_trigger)
def applyOutbox(event: scheduler_fn.ScheduledEvent) -> None:
    handlers.triggers.apply_outbox(event)


@scheduler_fn.on_schedule(
    schedule="every 1 minutes", secrets=[settings.DATABASE_URL, settings.SMTP_URL]
)
def deliverMail(event: scheduler_fn.ScheduledEvent) -> None:
    handlers.triggers.deliver_mail(event)


@scheduler_fn.on_schedule(
    schedule="every 1 minutes",
    secrets=[settings.DATABASE_URL, settings.JWT_SECRET, settings.SMTP_URL],
)
def sendMissedMessages(event: scheduler_fn.ScheduledEvent) -> None:
    handlers.missed_mail.send_missed_messages(event)


@https_fn.on_request(**_http)
def unsubscribe(request: https_fn.Request) -> https_fn.Response:
    return handlers.missed_mail.unsubscribe(request)


@scheduler_fn.on_schedule(
    schedule="every 5 minutes",
    secrets=[settings.DATABASE_URL, settings.JWT_SECRET, settings.SMTP_URL],
)
def prepareDataExports(event: scheduler_fn.ScheduledEvent) -> None:
    handlers.triggers.prepare_data_exports(event)
