"""Realtime Database emulator: the JS SDK's WebSocket protocol, the Admin SDK's REST API,
``database.rules.json`` enforcement and onDisconnect, over one in-memory tree per namespace.

Layout: ``paths``/``tree``/``ordering``/``query``/``hashing`` hold the data model,
``rules/`` parses and evaluates security rules, ``engine`` commits writes and tells
observers, ``websocket``/``rest`` speak the two wire protocols, ``ondisconnect`` keeps the
per-connection queue of operations to run when a client goes away.
"""
