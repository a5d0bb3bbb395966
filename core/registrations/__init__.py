"""The core app's models registered by layer: `api` (identity, REST, access, search), `filters`, `ui`."""
