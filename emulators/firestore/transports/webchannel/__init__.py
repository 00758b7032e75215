"""WebChannel, the browser Firestore SDK's streaming transport (Listen and Write).

The browser SDK opens ``/google.firestore.v1.Firestore/{Listen|Write}/channel`` with the
closure WebChannel client (BrowserChannel protocol 8, ``sendRawJson``,
``encodeInitMessageHeaders``, ``httpSessionIdParam=gsessionid``). Modules:

- ``framing``: chunk encoding, forward-channel form bodies, the handshake header block;
- ``session``: a channel's numbered outgoing arrays, acknowledgements (``AID``), which
  back-channel request owns it, idle expiry (120 s without requests; swept every 30 s;
  2 s once the client dropped its back channel, as a closed tab does);
- ``streams``: Listen and Write bridged to the engine (Listen through
  ``emulators.firestore.listen``, Write through the transport-neutral
  ``emulators.firestore.streams.WriteStream``; the gRPC server uses both too);
- ``routes``: the Starlette endpoint (handshake, forward POSTs, streaming ``CI=0`` and
  long-polling ``CI=1`` back channels with ``noop`` keep-alives every 25 s, ``terminate``).

Streaming back channels are recycled after 60 s or 500 arrays so the client's next
request acknowledges what it received. Mounted beside the REST routes on the HTTP app
(``emulators.firestore.transports.http``) by ``emulators.firestore.emulator``.
"""
