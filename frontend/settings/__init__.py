"""Every page under `/o/<slug>/settings/`, one module per page, routed by `frontend.settings.urls`.

These are the web layer: each view checks who may see the page, shows a form and translates the
outcome of a service -- `tenants.services` (general settings, deletion), `tenants.tokens`,
`tenants.members`, `tenants.audit`, `tenants.billing`, `tenants.sso` and `automation.export` hold the
rules. The routing middleware has already admitted members only; other people get the 404 of an
organization that does not exist.
"""
