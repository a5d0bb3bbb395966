"""Custom scripts: organizations' Python run in a sandboxed child process (docs/scripts.md)."""
