"""WebChannel, the browser Firestore SDK's streaming transport (Listen and Write)."""
