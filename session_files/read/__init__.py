"""The read path: bytes on disk to records or findings. Never imports the write path."""
