"""``python -m emulators start --only cloudinary``: the local Cloudinary on its own port.

Its files and their SQLite index live in ``cloudinary/`` of the data directory (with no
data directory, in ``.flowchat/cloudinary`` beside firebase.json). Export folders hold a
copy of them in ``cloudinary_export/``, without the API secret.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from emulators.base import Emulator, Hub
from emulators.cloudinary import credentials as credentials_module
from emulators.cloudinary import settings as settings_module
from emulators.cloudinary.admin import AdminService
from emulators.cloudinary.delivery import DeliveryService
from emulators.cloudinary.notifications import Notifier
from emulators.cloudinary.routes import create_app
from emulators.cloudinary.storage import AssetStore
from emulators.cloudinary.uploads import UploadService
from emulators.config import Config
from emulators.serving import BackgroundServer

EXPORT_FOLDER = "cloudinary_export"
STORED = ("index.sqlite3", "originals", "derived")


class CloudinaryEmulator(Emulator):
    name = "cloudinary"

    def __init__(self, config: Config, hub: Hub) -> None:
        super().__init__(config, hub)
        self.settings = settings_module.from_config(config, self.name)
        self.credentials = credentials_module.load(self.settings.storage_root)

    def start(self) -> None:
        if self.config.import_dir is not None:
            _replace_stored(self.config.import_dir / EXPORT_FOLDER, self.settings.storage_root)
        self.store = AssetStore(self.settings.storage_root)
        self.notifier = Notifier(
            self.credentials.api_secret, self.settings.notification_retry_delays
        )
        app = create_app(
            UploadService(self.credentials, self.store, self.notifier, self.settings),
            DeliveryService(self.credentials, self.store, self.settings),
            AdminService(self.credentials, self.store, self.settings),
        )
        self.server = BackgroundServer(app, self.address, name=self.name)
        try:
            self.server.start()
        except BaseException:
            self.notifier.stop()
            self.store.close()
            raise

    def stop(self) -> None:
        self.server.stop()
        self.notifier.stop()
        self.store.close()

    def export_state(self, folder: Path) -> None:
        _replace_stored(self.settings.storage_root, folder / EXPORT_FOLDER)

    def environment(self) -> dict[str, str]:
        """What the functions' ``cloudinary`` SDK needs: the account, and where its API is.

        The SDK reads ``CLOUDINARY_URL`` by itself; ``CLOUDINARY_UPLOAD_PREFIX`` is to be
        passed as ``cloudinary.config(upload_prefix=...)`` (the SDK only reads it alone when
        ``CLOUDINARY_CLOUD_NAME`` is set instead of ``CLOUDINARY_URL``).
        """
        return {
            "CLOUDINARY_URL": self.credentials.url,
            "CLOUDINARY_UPLOAD_PREFIX": self.settings.base_url,
        }


def _replace_stored(source: Path, target: Path) -> None:
    """Makes ``target`` hold the assets of ``source`` (its index and files, nothing else)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in STORED:
        old, new = target / name, source / name
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink(missing_ok=True)
        if new.is_dir():
            shutil.copytree(new, old)
        elif new.exists():
            shutil.copy2(new, old)
