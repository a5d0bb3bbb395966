"""A small Stripe for tests: an HTTP server on 127.0.0.1 answering the requests the real `stripe`
library makes for billing (customers, Checkout and portal sessions, subscription retrieval, update
and cancellation), and
webhook events signed the way Stripe signs them.

Point the library at it with STRIPE_API_BASE = FakeStripe.url.
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_wirebook"
WEBHOOK_SECRET = "whsec_wirebook_test"
# The plans the tests sell (WIREBOOK_PLANS), at prices of this fake.
PLANS = {
    "free": {"name": "Free", "price": "", "max_members": 2, "max_objects": 3},
    "team": {"name": "Team", "price": "price_team", "max_members": 10, "max_objects": 100},
    "msp": {"name": "MSP", "price": "price_msp", "max_members": 0, "max_objects": 0},
}


def stripe_signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


class FakeStripe:
    def __init__(self):
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.customers: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.delay = 0.0  # seconds every answer waits: to make concurrent deliveries overlap
        self.failing = False  # answer every request with a 500 api_error, as Stripe does when it is failing
        self._idempotent: dict[str, dict] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    # -- what Stripe would do on its side ---------------------------------------------------------

    def subscription_set(self, subscription_id: str, *, customer: str, status: str, price: str) -> dict:
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "cancel_at_period_end": False,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{subscription_id}",
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "current_period_end": int(time.time()) + 30 * 86400,
                    }
                ],
            },
            "metadata": {},
        }
        self.subscriptions[subscription_id] = subscription
        return subscription

    def checkout_complete(self, session_id: str) -> dict:
        """The customer paid: the session gets an active subscription. Returns the session."""
        session = self.sessions[session_id]
        subscription_id = self.new_id("sub")
        self.subscription_set(
            subscription_id, customer=session["customer"], status="active", price=session["line_items[0][price]"]
        )
        session.update(status="complete", subscription=subscription_id)
        return session

    def event(self, kind: str, obj: dict, *, created: int | None = None) -> dict:
        return {
            "id": self.new_id("evt"),
            "object": "event",
            "type": kind,
            "created": int(time.time()) if created is None else created,
            "livemode": False,
            "api_version": "2026-10-28.endive",
            "data": {"object": obj},
        }

    # -- the HTTP API -------------------------------------------------------------------------

    def _answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/customers":
            customer = {"id": self.new_id("cus"), "object": "customer", **params}
            self.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = self.new_id("cs")
            session = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "status": "open",
                "subscription": None,
                **params,
            }
            self.sessions[session_id] = session
            return 200, session
        if method == "POST" and path == "/v1/billing_portal/sessions":
            session_id = self.new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{session_id}",
                **params,
            }
        if path.startswith("/v1/subscriptions/"):
            return self._subscription_answer(method, self.subscriptions.get(path.rsplit("/", 1)[1]), params)
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL {path}"}}

    def _subscription_answer(self, method: str, subscription: dict | None, params: dict) -> tuple[int, dict]:
        """Retrieve (GET), update (POST: cancel_at_period_end) or cancel now (DELETE) a subscription."""
        if subscription is None:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "message": "No such subscription"}}  # fmt: skip
        if method == "GET":
            return 200, subscription
        if subscription["status"] == "canceled":
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "A canceled subscription can only update its metadata"}}  # fmt: skip
        if method == "POST" and "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = params["cancel_at_period_end"] == "true"
        elif method == "DELETE":
            subscription.update(status="canceled", canceled_at=int(time.time()))
        return 200, subscription

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                params = dict(parse_qsl(body or parts.query, keep_blank_values=True))
                key = self.headers.get("Idempotency-Key")
                time.sleep(fake.delay)
                with fake._lock:
                    fake.requests.append(
                        {
                            "method": self.command,
                            "path": parts.path,
                            "params": params,
                            "authorization": self.headers.get("Authorization"),
                        }
                    )
                    if fake.failing:
                        status, answer = 500, {"error": {"type": "api_error", "message": "Stripe is failing."}}
                    elif self.command == "POST" and key and key in fake._idempotent:
                        status, answer = 200, fake._idempotent[key]
                    else:
                        status, answer = fake._answer(self.command, parts.path, params)
                        if self.command == "POST" and key and status == 200:
                            fake._idempotent[key] = answer
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format, *args):
                pass

        return Handler
