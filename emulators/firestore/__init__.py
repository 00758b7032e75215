"""The Firestore emulator."""
