"""Auth emulator: the Identity Toolkit and Secure Token endpoints the SDKs use."""
