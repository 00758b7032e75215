"""Rooms: membership and roles in PostgreSQL, mirrored into Firestore for the rules."""
