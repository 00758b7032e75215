"""Function params and secrets (read from the environment when the emulator runs them).

Values are read when a request needs them, never at import time.
"""

from __future__ import annotations

from firebase_functions.params import IntParam, SecretParam, StringParam

DATABASE_URL = SecretParam("DATABASE_URL", description="PostgreSQL URL (Neon: the -pooler host)")
JWT_SECRET = SecretParam("JWT_SECRET", description="HMAC key for FlowChat access tokens")
CLOUDINARY_URL = SecretParam("CLOUDINARY_URL", description="cloudinary://KEY:SECRET@CLOUD")
SMTP_URL = SecretParam(
    "SMTP_URL",
    description="smtps://USER:PASSWORD@HOST:465 (TLS) or smtp://...:587 (STARTTLS, required)",
)
SECRETS = [DATABASE_URL, JWT_SECRET]

DB_POOL_SIZE = IntParam("DB_POOL_SIZE", default=4, description="connections per instance")
ACCESS_TOKEN_TTL_SECONDS = IntParam("ACCESS_TOKEN_TTL_SECONDS", default=15 * 60)
SESSION_TTL_DAYS = IntParam("SESSION_TTL_DAYS", default=30)
REFRESH_RETRY_SECONDS = IntParam(
    "REFRESH_RETRY_SECONDS",
    default=60,
    description="how long a spent refresh token may be presented again if its answer was lost",
)
LOGIN_MAX_FAILURES_PER_ACCOUNT = IntParam("LOGIN_MAX_FAILURES_PER_ACCOUNT", default=5)
LOGIN_MAX_FAILURES_PER_ADDRESS = IntParam("LOGIN_MAX_FAILURES_PER_ADDRESS", default=30)
LOGIN_FAILURE_WINDOW_SECONDS = IntParam("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
RECONCILE_SLICE_SECONDS = IntParam(
    "RECONCILE_SLICE_SECONDS",
    default=20,
    description="time each scheduled run may spend on the reconcile pass before resuming later",
)
TRUSTED_PROXY_HOPS = IntParam(
    "TRUSTED_PROXY_HOPS",
    default=1,
    description="proxies in front of the functions that append the caller's address to"
    " X-Forwarded-For (1: Google's front end; 0: trust no X-Forwarded-For)",
)
MAIL_FROM = StringParam(
    "MAIL_FROM", default="FlowChat <no-reply@flowchat.example>", description="From of every mail"
)
APP_URL = StringParam(
    "APP_URL",
    default="http://127.0.0.1:5173",
    description="the web client's address, which links in mails point to",
)
MAIL_MAX_ATTEMPTS = IntParam(
    "MAIL_MAX_ATTEMPTS", default=8, description="tries to send one mail before giving up"
)
MISSED_MAIL_DELAY_SECONDS = IntParam(
    "MISSED_MAIL_DELAY_SECONDS",
    default=600,
    description="how long a mention or direct message stays unread before it is mailed;"
    " also the shortest time between two missed-message emails to one person",
)
TOKEN_ISSUER = StringParam("TOKEN_ISSUER", default="flowchat")
TOKEN_AUDIENCE = StringParam("TOKEN_AUDIENCE", default="flowchat-api")


class MissingSecret(RuntimeError):
    pass


def database_url() -> str:
    return _required(DATABASE_URL)


def jwt_secret() -> str:
    secret = _required(JWT_SECRET)
    if len(secret) < 32:
        raise MissingSecret("JWT_SECRET must be at least 32 characters")
    return secret


def _required(param: SecretParam) -> str:
    value = param.value
    if not value:
        raise MissingSecret(f"secret {param.name} is not set")
    return value
