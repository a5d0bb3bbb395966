"""The generic API cases (tests/api_cases.py) for event rules, webhooks, the delivery log and jobs: data only."""

from django.contrib.contenttypes.models import ContentType

from automation.models import ConfigContext, ConfigTemplate, EventRule, ExportTemplate, Job, Webhook, WebhookDelivery
from core.services import object_create
from tests.api_cases import APICase, Ref


def _webhook(name: str = "Receiver") -> Webhook:
    return object_create(model=Webhook, data={"name": name, "payload_url": "https://hooks.example.com/in"})


def _delivery(index: int) -> None:
    webhook = Webhook.objects.filter(name="Receiver").first() or _webhook()
    WebhookDelivery.objects.create(
        webhook=webhook,
        event="object_created",
        object_type=ContentType.objects.get(app_label="inventory", model="site"),
        object_id=index,
        object_repr=f"Site {index}",
        context={"event": "created", "data": {"id": index}},
    )


class TestWebhookAPI(APICase):
    model = Webhook
    create_data = [
        {
            "name": "Inventory sync",
            "payload_url": "https://hooks.example.com/{{ model }}/",
            "http_method": "PUT",
            "http_content_type": "application/json",
            "additional_headers": "X-Source: wirebook\nX-Object: {{ data.name | header_safe }}",
            "body_template": '{"name": "{{ data.name }}"}',
            "secret": "s3cret",
            "ssl_verification": True,
            "timeout": 5,
            "description": "first",
        },
        {"name": "Chat", "payload_url": "https://chat.example.com/hook"},
        {"name": "Ticketing", "payload_url": "http://tickets.example.com/api", "ssl_verification": False},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestEventRuleAPI(APICase):
    model = EventRule
    setup_objects = staticmethod(lambda: {"webhook": _webhook()})
    create_data = [
        {
            "name": "Active sites",
            "object_types": ["dcim.site"],
            "event_types": ["object_created", "object_updated"],
            "conditions": {"and": [{"attr": "status.value", "value": "active"}]},
            "action_type": "webhook",
            "action_object_type": "extras.webhook",
            "action_object_id": Ref("webhook"),
            "description": "first",
        },
        {
            "name": "Deleted regions",
            "object_types": ["dcim.region", "dcim.site"],
            "event_types": ["object_deleted"],
            "action_type": "webhook",
            "action_object_type": "extras.webhook",
            "action_object_id": Ref("webhook"),
        },
        {
            "name": "Disabled",
            "object_types": ["ipam.prefix"],
            "event_types": ["object_created"],
            "enabled": False,
            "action_type": "webhook",
            "action_object_type": "extras.webhook",
            "action_object_id": Ref("webhook"),
        },
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestWebhookDeliveryAPI(APICase):
    model = WebhookDelivery
    make_object = staticmethod(_delivery)
    brief_fields = ["id", "url", "display", "status", "created"]


def _job(index: int) -> None:
    from django.contrib.auth import get_user_model

    from automation.export import organization_export
    from automation.services import job_function_path

    owner = get_user_model().objects.get(email="owner-a@example.com")
    Job.objects.create(
        name=f"Import {index}",
        function=job_function_path(organization_export),
        status=("pending", "running", "completed")[index],
        user_id=owner.pk,
        data={"rows": index},
    )


class TestJobAPI(APICase):
    model = Job
    make_object = staticmethod(_job)
    brief_fields = ["id", "url", "display", "status", "created", "completed", "user"]


def _region():
    from inventory.models import Region, Site

    region = Region.objects.create(name="Europe", slug="europe")
    return {"region": region, "site": Site.objects.create(name="AMS1", slug="ams1", region=region)}


class TestConfigContextAPI(APICase):
    model = ConfigContext
    setup_objects = staticmethod(_region)
    create_data = [
        {"name": "Base", "weight": 100, "data": {"ntp": ["10.0.0.1"]}, "description": "first"},
        {"name": "Europe", "weight": 200, "data": {"ntp": ["10.1.0.1"]}, "regions": [Ref("region")]},
        {"name": "AMS1", "data": {"syslog": "10.2.0.1"}, "sites": [Ref("site")], "is_active": False},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["description", "display", "id", "name", "url"]


class TestConfigTemplateAPI(APICase):
    model = ConfigTemplate
    create_data = [
        {"name": "Junos", "template_code": "system { host-name {{ device.name }}; }", "description": "first"},
        {"name": "IOS", "template_code": "hostname {{ device.name }}", "environment_params": {"trim_blocks": True}},
        {
            "name": "EOS",
            "template_code": "hostname {{ device.name }}",
            "mime_type": "text/plain",
            "file_extension": "cfg",
        },
    ]
    update_data = {"description": "changed"}
    brief_fields = ["description", "display", "id", "name", "url"]


class TestExportTemplateAPI(APICase):
    model = ExportTemplate
    create_data = [
        {
            "name": "Hosts",
            "object_types": ["dcim.device"],
            "template_code": "{% for d in queryset %}{{ d.name }}\n{% endfor %}",
        },
        {
            "name": "Sites CSV",
            "object_types": ["dcim.site", "dcim.region"],
            "template_code": "name",
            "file_extension": "csv",
        },
        {"name": "Plain", "object_types": ["dcim.site"], "template_code": "x", "as_attachment": False},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["description", "display", "id", "name", "url"]
