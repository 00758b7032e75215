"""The browser-facing transports of the Firestore emulator: Firestore's REST API
(``/v1/projects/{p}/databases/{d}/documents...``) and WebChannel
(``emulators/firestore/webchannel``).

REST serves, under ``/v1/projects/{p}/databases/{d}/documents``: GET (document or list),
POST on a collection (createDocument), PATCH, DELETE, and the custom methods
``:batchGet``, ``:commit``, ``:batchWrite``, ``:beginTransaction``, ``:rollback``, and on a
parent ``:runQuery``, ``:runAggregationQuery``, ``:listCollectionIds``. Not served:
``:partitionQuery``, ``:listen``, ``:write`` (the browser streams use WebChannel).

``browser_routes(engine)`` is what ``emulators/firestore/emulator.py`` passes to
``http_app.build_app`` as ``extra_routes``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from emulators.firestore.engine import FirestoreEngine


def browser_routes(engine: FirestoreEngine) -> list[BaseRoute]:
    from emulators.firestore.rest.routes import rest_routes
    from emulators.firestore.webchannel.routes import webchannel_routes

    return [*rest_routes(engine), *webchannel_routes(engine)]
