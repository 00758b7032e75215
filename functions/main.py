"""FlowChat's Cloud Functions: each definition wires a trigger to its handler."""

from firebase_admin import initialize_app
from firebase_functions import db_fn, firestore_fn, https_fn, options, scheduler_fn

import handlers
import settings

options.set_global_options(region="us-central1", max_instances=20)
initialize_app()  # no network: credentials load on first use

# Tokens travel in the Authorization header, never in cookies, so any origin may call.
_cors = options.CorsOptions(cors_origins="*", cors_methods=["GET", "POST", "PATCH", "OPTIONS"])
_http = {"cors": _cors, "secrets": settings.SECRETS}
_callable = {"cors": _cors, "secrets": [settings.DATABASE_URL]}
_media = {"cors": _cors, "secrets": [settings.DATABASE_URL, settings.CLOUDINARY_URL]}
_trigger = {"secrets": [settings.DATABASE_URL, settings.CLOUDINARY_URL]}


# Accounts (HTTP, JSON)


@https_fn.on_request(**_http)
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


@https_fn.on_call(**_callable)
def createRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.create_room(request)


@https_fn.on_call(**_callable)
def inviteMember(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.invite_member(request)


@https_fn.on_call(**_callable)
def acceptInvite(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.accept_invite(request)


@https_fn.on_call(**_callable)
def declineInvite(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.decline_invite(request)


@https_fn.on_call(**_callable)
def joinRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.join_room(request)


@https_fn.on_call(**_callable)
def leaveRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.leave_room(request)


@https_fn.on_call(**_callable)
def removeMember(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.remove_member(request)


@https_fn.on_call(**_callable)
def setRole(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.set_role(request)


@https_fn.on_call(**_callable)
def updateRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.update_room(request)


@https_fn.on_call(**_callable)
def archiveRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.archive_room(request)


@https_fn.on_call(**_callable)
def muteRoom(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.mute_room(request)


@https_fn.on_call(**_callable)
def listMyRooms(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.list_my_rooms(request)


@https_fn.on_call(**_callable)
def listMembers(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.list_members(request)


@https_fn.on_call(**_callable)
def blockUser(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.block_user(request)


@https_fn.on_call(**_callable)
def unblockUser(request: https_fn.CallableRequest) -> dict:
    return handlers.rooms.unblock_user(request)


@https_fn.on_call(**_callable)
def registerDeviceToken(request: https_fn.CallableRequest) -> dict:
    return handlers.devices.register_device_token(request)


@https_fn.on_request(**_http)
def checkPermission(request: https_fn.Request) -> https_fn.Response:
    return handlers.rooms.check_permission(request)


# Media


@https_fn.on_call(**_media)
def signUpload(request: https_fn.CallableRequest) -> dict:
    return handlers.media.sign_upload(request)


@https_fn.on_request(secrets=[settings.DATABASE_URL, settings.CLOUDINARY_URL])
def cloudinaryNotification(request: https_fn.Request) -> https_fn.Response:
    return handlers.media.cloudinary_notification(request)


# Triggers


@firestore_fn.on_document_created(document="rooms/{roomId}/messages/{messageId}", **_trigger)
def onMessageCreated(event: firestore_fn.Event[firestore_fn.DocumentSnapshot | None]) -> None:
    handlers.triggers.message_created(event)


@db_fn.on_value_written(reference="status/{uid}", **_trigger)
def onPresenceWritten(event: db_fn.Event[db_fn.Change]) -> None:
    handlers.triggers.presence_written(event)


@scheduler_fn.on_schedule(schedule="every 1 minutes", **_trigger)
def applyOutbox(event: scheduler_fn.ScheduledEvent) -> None:
    handlers.triggers.apply_outbox(event)
