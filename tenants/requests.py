"""The request inside an organization, as the middleware leaves it: a type for annotations.

Django builds the request (WSGIRequest, ASGIRequest); `tenants.middleware` admits a member or a
token and sets what is declared here. Views and handlers reached only through that admission
annotate their request with `OrganizationRequest` instead of reading the attributes untyped.
"""

import uuid

from django.http import HttpRequest

from tenants.models import Membership, Organization


class OrganizationRequest(HttpRequest):
    """Never instantiated: annotations only."""

    method: str  # every request Django serves has one (a bare HttpRequest() has None)
    organization: Organization
    # The caller's membership; an unsaved one (no pk) for a token bound to no user.
    membership: Membership
    # Set by the middleware on API requests, by the UI and GraphQL views on theirs.
    wirebook_request_id: uuid.UUID
