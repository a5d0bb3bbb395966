from django.apps import AppConfig


class SaasPlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = "Wirebook platform"

    def ready(self):
        # Create the Celery app with Django, so `shared_task`s bind to it (and `devstack`, in this
        # package, starts without importing Celery).
        from saas_platform import celery  # noqa: F401
        from saas_platform.billing.services import (
            deletion_subscription_end,
            deletion_subscription_sync,
            deletion_subscriptions_reconcile,
        )
        from tenants.billing import DeletionBilling, deletion_billing_register

        # tenants schedules and carries out deletions; the Stripe subscription is ours to end.
        deletion_billing_register(
            DeletionBilling(
                sync=deletion_subscription_sync,
                reconcile=deletion_subscriptions_reconcile,
                end=deletion_subscription_end,
            )
        )
