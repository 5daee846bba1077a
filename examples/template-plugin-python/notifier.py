"""tmpl-py-webhook: a waooaw factory template written in Python.

An agent that posts platform events to an HTTPS webhook. Its config shows
the schema keywords a template has: "url" is required and has no default
(every request must give it), "secret_token" is writeOnly (the platform
never shows it again: API answers, logs and events mask it).

Run by a template host from its plugin directory through the launcher
build.sh writes; "describe" prints the description.
"""

import copy
import sys

import waooaw_template

TEMPLATE_ID = "tmpl-py-webhook"
EVENTS = ["agent_online", "agent_failed", "alert"]

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url"],
    "properties": {
        "url": {"type": "string", "format": "uri", "pattern": "^https://",
                "description": "The HTTPS endpoint events are posted to."},
        "secret_token": {"type": "string", "minLength": 8, "writeOnly": True,
                         "description": "Sent as a bearer token; never shown again."},
        "retries": {"type": "integer", "minimum": 0, "maximum": 10,
                    "description": "Attempts after a failed post."},
        "events": {"type": "array", "uniqueItems": True,
                   "items": {"type": "string", "enum": EVENTS},
                   "description": "The events to post."},
    },
}

DEFAULT_CONFIG = {"retries": 3, "events": ["agent_failed"]}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Webhook:
    def describe(self):
        return {
            "template_id": TEMPLATE_ID,
            "name": "Webhook Notifier (Python)",
            "description": "Posts platform events to an HTTPS webhook.",
            "category": "integration",
            "complexity": "low",
            "version": "1.0.0",
            "config_schema": SCHEMA,
            "default_config": DEFAULT_CONFIG,
            "resource_defaults": {"cpu_cores": 0.5, "memory_gb": 1, "storage_gb": 1},
            "resource_limits": {"min": {"cpu_cores": 0.5, "memory_gb": 0.5, "storage_gb": 1},
                                "max": {"cpu_cores": 2, "memory_gb": 4, "storage_gb": 20}},
            "required_capabilities": ["webhook_post"],
            "optional_capabilities": ["retry_queue"],
        }

    def validate(self, config):
        if not isinstance(config, dict):
            return [{"field": "", "issue": "must be a JSON object"}]
        issues = []
        for key in sorted(config):
            if key not in SCHEMA["properties"]:
                issues.append({"field": key, "issue": "unknown field"})
        if "url" not in config:
            issues.append({"field": "url", "issue": "is required"})
        else:
            url = config["url"]
            if not isinstance(url, str):
                issues.append({"field": "url", "issue": "must be a string"})
            elif not url.startswith("https://") or len(url) <= len("https://"):
                issues.append({"field": "url", "issue": "must be an https URL (https://example.com/hook)"})
        if "secret_token" in config:
            tok = config["secret_token"]
            if not isinstance(tok, str):
                issues.append({"field": "secret_token", "issue": "must be a string"})
            elif len(tok) < 8:
                issues.append({"field": "secret_token", "issue": "must be at least 8 characters long"})
        if "retries" in config:
            r = config["retries"]
            if not _is_int(r):
                issues.append({"field": "retries", "issue": "must be an integer"})
            elif not 0 <= r <= 10:
                issues.append({"field": "retries", "issue": "must be between 0 and 10"})
        if "events" in config:
            ev = config["events"]
            if not isinstance(ev, list):
                issues.append({"field": "events", "issue": "must be an array"})
            else:
                seen = set()
                for i, e in enumerate(ev):
                    if e not in EVENTS:
                        issues.append({"field": "events[%d]" % i, "issue": "must be one of: " + ", ".join(EVENTS)})
                    elif e in seen:
                        issues.append({"field": "events[%d]" % i, "issue": "is listed twice"})
                    else:
                        seen.add(e)
        return issues

    def render(self, req):
        res = req["resources"]
        base = [
            ("validate", 60),
            ("allocate", 90 + 10 * res["cpu_cores"]),
            ("provision", 180 + 2 * res["storage_gb"]),
            ("configure", 120),
            ("health_check", 60),
            ("online", 45),
        ]
        # Within the documented 1-10 minutes per step: the host refuses others.
        steps = [{"name": n, "duration_ms": int(min(max(round(s), 60), 600)) * 1000} for n, s in base]
        config = copy.deepcopy(req.get("config") or {})
        return {
            "template_id": TEMPLATE_ID,
            "agent_name": req["agent_name"],
            "steps": steps,
            "resources": res,
            "plan": req["plan"],
            "env": {"WEBHOOK_RETRIES": str(config.get("retries", 3))},
            "config": config,
        }


if __name__ == "__main__":
    waooaw_template.serve(Webhook(), sys.argv)
