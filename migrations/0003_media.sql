-- Uploads FlowChat signed, and the media Cloudinary confirmed.

-- One row per signature handed out: the only public ids an upload may use.
CREATE TABLE uploads (
    public_id     text PRIMARY KEY,
    uploader_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id       uuid REFERENCES rooms (id) ON DELETE CASCADE,
    purpose       text NOT NULL CHECK (purpose IN ('attachment', 'avatar')),
    resource_type text NOT NULL CHECK (resource_type IN ('image', 'raw')),
    filename      text NOT NULL,
    content_type  text NOT NULL,
    declared_size bigint NOT NULL,
    signed_at     timestamptz NOT NULL DEFAULT now(),
    -- Set when Cloudinary's signed notification arrives.
    verified_at   timestamptz,
    secure_url    text,
    format        text,
    bytes         bigint,
    width         integer,
    height        integer,
    version       bigint,
    -- The message that carries this attachment, once the message trigger has seen it.
    message_path  text
);
CREATE INDEX uploads_uploader_signed_idx ON uploads (uploader_id, signed_at);
