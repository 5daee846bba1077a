"""A small client for the WAOOAW mock server's HTTP API, standard library only.

Each suite makes its own sandbox (POST /_mock/sandboxes): an isolated copy of
the server with its own data, clock, faults, journal and tokens, so suites run
in parallel against one waooaw-mock binary without seeing each other.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request


class Mock:
    """The mock server (or one of its sandboxes) at base, e.g. http://127.0.0.1:8000."""

    def __init__(self, base, sandbox_id=None):
        self.base = base.rstrip("/")
        self.sandbox_id = sandbox_id
        self.token = None

    @classmethod
    def sandbox(cls, root=None, empty=False):
        """Make a sandbox on the server at root ($WAOOAW_MOCK_URL by default)."""
        root = Mock(root or os.environ["WAOOAW_MOCK_URL"])
        status, body = root.call("POST", "/_mock/sandboxes", {"empty": empty} if empty else None)
        if status != 201:
            raise RuntimeError(f"POST /_mock/sandboxes: {status} {body}")
        sb = cls(body["base_url"], body["id"])
        sb.root = root
        return sb

    def close(self):
        """Delete this sandbox."""
        if self.sandbox_id:
            self.root.call("DELETE", f"/_mock/sandboxes/{self.sandbox_id}")

    def sign_in(self, email="ops@waooaw.ai", role="operator"):
        status, body = self.call("POST", "/_mock/tokens", {"email": email, "role": role})
        if status != 200:
            raise RuntimeError(f"POST /_mock/tokens: {status} {body}")
        self.token = body["access_token"]

    def call(self, method, path, body=None, headers=None):
        """Send one request; return (status, decoded JSON body or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token and not path.startswith("/_mock/"):
            req.add_header("Authorization", "Bearer " + self.token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def journal(self, **filters):
        """GET /_mock/journal with filters (method, path, status, code, caller, fault, body)."""
        if "body" in filters and not isinstance(filters["body"], str):
            filters["body"] = json.dumps(filters["body"])
        query = urllib.parse.urlencode(filters)
        status, body = self.call("GET", "/_mock/journal?" + query)
        if status != 200:
            raise RuntimeError(f"GET /_mock/journal: {status} {body}")
        return body["requests"]

