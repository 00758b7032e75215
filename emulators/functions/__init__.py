"""Functions host: loads ``functions/main.py`` and serves its functions at the emulator URLs."""
