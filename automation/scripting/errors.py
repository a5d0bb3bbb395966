class SandboxUnavailable(Exception):
    """The sandbox cannot run on this machine; scripts are refused rather than run without it."""
