"""The write path: records to bytes on disk, atomically (sidecars, JSON Schemas)."""
