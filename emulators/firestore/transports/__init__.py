"""The wire side of the Firestore emulator, over the transport-free engine.

- ``grpc``: google.firestore.v1.Firestore served by grpcio (server SDKs, the Node SDK);
- ``http``: the Starlette app of the HTTP/1.1 side (emulator endpoints, browser CORS),
  which mounts the routes of ``rest`` and ``webchannel``;
- ``rest``: Firestore's REST API (the browser SDK's one-shot calls, any HTTP client);
- ``webchannel``: the browser SDK's Listen and Write streams;
- ``protojson``: messages to and from proto3 JSON, for REST and WebChannel;
- ``front``: the public port, handing HTTP/2 to grpcio and the rest to the HTTP app.
"""
