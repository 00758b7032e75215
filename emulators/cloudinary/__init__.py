"""A local Cloudinary: the Upload API, delivery URLs with basic transformations, signed
upload notifications and the Admin API's resource lookup, as the ``cloudinary`` SDK calls them.

The engine (``credentials``, ``signatures``, ``media``, ``storage``, ``uploads``,
``transformations``, ``delivery``, ``notifications``, ``admin``) knows nothing of HTTP;
``routes`` maps requests onto it and ``emulator`` plugs it into ``python -m emulators``.
See docs/emulators/cloudinary.md.
"""
