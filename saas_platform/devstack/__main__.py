"""`python -m saas_platform.devstack`: see cli.py (or --help) for what it does."""

import sys

from saas_platform.devstack.cli import main

if __name__ == "__main__":
    sys.exit(main())
