"""``python -m emulators start --only cloudinary``: the local Cloudinary on its own port."""

from __future__ import annotations

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


class CloudinaryEmulator(Emulator):
    name = "cloudinary"

    def __init__(self, config: Config, hub: Hub) -> None:
        super().__init__(config, hub)
        self.settings = settings_module.from_config(config, self.name)
        self.credentials = credentials_module.load(self.settings.storage_root)

    def start(self) -> None:
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
