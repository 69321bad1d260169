"""``python -m session_files``: the same command line as ``session-files``."""

from .cli import main

main(prog_name="session-files")
