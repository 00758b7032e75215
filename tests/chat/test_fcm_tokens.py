"""FcmNotifier against FCM simulated at its HTTP boundary: FCM cannot be reached from here,
so a requests transport adapter mounted on firebase_admin's own messaging session answers
as the FCM v1 API does (its documented error bodies). Everything above the socket is the
real firebase_admin: message encoding, send_each, and the parsing of errors into
UnregisteredError, SenderIdMismatchError and InvalidArgumentError. Tokens are stored in the
real PostgreSQL through registerDeviceToken."""

from __future__ import annotations

import json

import firebase_admin
import google.oauth2.credentials
import requests
from firebase_admin import credentials, messaging

FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def fcm_error(code: int, status: str, message: str, fcm_code: str | None) -> dict:
    details = [{"@type": FCM_ERROR, "errorCode": fcm_code}] if fcm_code else []
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


# What the simulated FCM answers for each token.
ANSWERS = {
    "unregistered": (
        404,
        fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"),
    ),
    "other-sender": (
        403,
        fcm_error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH"),
    ),
    "not-a-token": (
        400,
        fcm_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
        ),
    ),
    "over-quota": (
        429,
        fcm_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", "QUOTA_EXCEEDED"),
    ),
    "unavailable": (503, fcm_error(503, "UNAVAILABLE", "The service is unavailable.", None)),
}


class SimulatedFcm(requests.adapters.BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict] = []

    def send(self, request, **kwargs) -> requests.Response:
        body = json.loads(request.body)
        self.received.append(body)
        token = body["message"]["token"]
        kind = token.rsplit(":", 1)[-1]
        status, payload = ANSWERS.get(kind, (200, {"name": "projects/p/messages/1"}))
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


class FixedToken(credentials.Base):
    """An OAuth token that never needs refreshing (no Google sign-in from here)."""

    def get_credential(self):
        return google.oauth2.credentials.Credentials(token="simulated")


def test_tokens_fcm_calls_dead_are_deleted_and_others_kept(person, db, functions_env):
    bob = person("bob")
    kinds = ["alive", "unregistered", "other-sender", "not-a-token", "over-quota", "unavailable"]
    tokens = [f"{bob.uid}:{kind}" for kind in kinds]
    for token in tokens:
        bob.ok("registerDeviceToken", {"token": token})

    app = firebase_admin.initialize_app(FixedToken(), {"projectId": "demo-flowchat"})
    fcm = SimulatedFcm()
    messaging._get_messaging_service(app)._client.session.mount("https://fcm.googleapis.com", fcm)

    from chat.notifier import FcmNotifier, Push  # the functions' own code, in this process

    data = {"roomId": "r1", "messageId": "m1", "title": "Ada", "body": "hi", "link": "/r/r1/m/m1"}
    FcmNotifier().send([Push(user_id=bob.uid, title="Ada", body="hi", tokens=tokens, data=data)])

    assert sorted(body["message"]["token"] for body in fcm.received) == sorted(tokens)
    for body in fcm.received:
        # Data only: the service worker shows the notification itself.
        assert "notification" not in body["message"]
        assert body["message"]["data"] == data
        assert body["message"]["webpush"]["headers"]["Urgency"] == "high"
    left = db.execute(
        "SELECT token FROM device_tokens WHERE user_id = %s ORDER BY token", (bob.uid,)
    ).fetchall()
    assert [row["token"] for row in left] == sorted(
        f"{bob.uid}:{kind}" for kind in ("alive", "over-quota", "unavailable")
    )


def test_an_invalid_argument_about_the_payload_keeps_the_token():
    """INVALID_ARGUMENT also answers a bad message; only one naming the token is fatal."""
    from firebase_admin import exceptions

    from chat.notifier import is_dead_token

    response = requests.Response()
    response.status_code = 400
    response._content = json.dumps(
        fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "INVALID_ARGUMENT")
    ).encode()
    payload_error = exceptions.InvalidArgumentError(
        "Invalid JSON payload received.", None, response
    )
    assert is_dead_token(payload_error) is False
    response._content = json.dumps(
        {
            "error": {
                "code": 400,
                "status": "INVALID_ARGUMENT",
                "message": "Request contains an invalid argument.",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [{"field": "message.token", "description": "bad"}],
                    }
                ],
            }
        }
    ).encode()
    token_error = exceptions.InvalidArgumentError(
        "Request contains an invalid argument.", None, response
    )
    assert is_dead_token(token_error) is True
    assert is_dead_token(None) is False
