"""FlowChat's local Firebase: Java-free emulators in Python.

One package per emulator (``auth``, ``firestore``, ``database``, ``functions``,
``cloudinary``), each keeping its wire protocol apart from its engine.
``python -m emulators start`` runs them on the hosts and ports of ``firebase.json``.
"""
