"""Authentication backends whose `get_user` -- run by every session request -- reads the user from
tenants.authcache (invalidated by every save of the user: a new password, deactivation) instead of
the database. Django's, and allauth's, in every other respect."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from tenants import authcache


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = authcache.user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(AllauthBackend):
    get_user = ModelBackend.get_user
