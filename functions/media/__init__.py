"""Media: signed uploads to Cloudinary, their notifications, attachments and avatars."""
