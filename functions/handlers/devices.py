"""registerDeviceToken / unregisterDeviceToken: where to push a person's notifications (an
FCM registration token), and forgetting it when the browser logs out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from db import notifications, pool
from handlers.callables import callable_action


class DeviceToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=4096, strict=True)


@callable_action(DeviceToken)
def register_device_token(uid: str, data: DeviceToken) -> dict:
    with pool.transaction() as conn:
        notifications.add_device_token(conn, uid, data.token)
    return {"registered": True}


@callable_action(DeviceToken)
def unregister_device_token(uid: str, data: DeviceToken) -> dict:
    """Only the caller's own token goes: a token someone else registered is left alone."""
    with pool.transaction() as conn:
        removed = notifications.remove_device_token(conn, uid, data.token)
    return {"removed": removed}
