"""FlowChat's Cloud Functions: each definition wires a trigger to its handler."""

import settings
from firebase_functions import https_fn, options

from handlers import accounts, profiles

options.set_global_options(region="us-central1", max_instances=20)

# Tokens travel in the Authorization header, never in cookies, so any origin may call.
_cors = options.CorsOptions(cors_origins="*", cors_methods=["GET", "POST", "PATCH", "OPTIONS"])
_http = {"cors": _cors, "secrets": settings.SECRETS}


@https_fn.on_request(**_http)
def register(request: https_fn.Request) -> https_fn.Response:
    return accounts.register(request)


@https_fn.on_request(**_http)
def login(request: https_fn.Request) -> https_fn.Response:
    return accounts.login(request)


@https_fn.on_request(**_http)
def refresh(request: https_fn.Request) -> https_fn.Response:
    return accounts.refresh(request)


@https_fn.on_request(**_http)
def logout(request: https_fn.Request) -> https_fn.Response:
    return accounts.logout(request)


@https_fn.on_request(**_http)
def me(request: https_fn.Request) -> https_fn.Response:
    return profiles.me(request)


@https_fn.on_request(**_http)
def updateProfile(request: https_fn.Request) -> https_fn.Response:
    return profiles.update_profile(request)


@https_fn.on_request(**_http)
def getProfile(request: https_fn.Request) -> https_fn.Response:
    return profiles.get_profile(request)
