"""Realtime Database emulator: the JS SDK's realtime protocol (WebSocket and long polling),
the Admin SDK's REST API, ``database.rules.json`` enforcement and onDisconnect, over one
in-memory tree per namespace.

Layout: ``paths``/``tree``/``ordering``/``query``/``hashing`` hold the data model,
``rules/`` parses and evaluates security rules, ``engine`` commits writes and tells
observers and subscribers, ``protocol`` is a client's realtime session and ``websocket``/
``longpoll`` its transports, ``rest`` the REST API, ``ondisconnect`` the per-session queue
of operations to run when a client goes away, ``emulator`` puts them on one port.
"""
