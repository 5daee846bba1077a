"""A waooaw template plugin runtime in Python: everything but the template.

It speaks the plugin protocol of docs/plugin-protocol.md with nothing but
Debian's python3-grpcio and python3-cryptography, and the Python code that
grpc_tools.protoc generates from factory/plugin/proto (build.sh makes it):

  * the go-plugin handshake: the magic cookie, the protocol version
    negotiation (PLUGIN_PROTOCOL_VERSIONS), one handshake line on stdout;
  * mutual TLS: a one-time certificate of its own, sent in the handshake
    line; only the host's certificate (PLUGIN_CLIENT_CERT) is accepted;
  * a unix socket in PLUGIN_UNIX_SOCKET_DIR, removed on exit;
  * the health service go-plugin pings (grpc.health.v1.Health, "plugin");
  * the stdin rule: EOF on stdin means the host is gone, so exit; SIGTERM
    too (the host's kernel sends it when the host dies);
  * the "describe" subcommand.

A template is an object with describe() -> dict, validate(config) -> list of
{"field", "issue"} dicts, render(request: dict) -> dict. Raise an exception
for a failure of the template itself: the host answers 500 template_failed.
"""

import base64
import datetime
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from concurrent import futures

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from waooaw.template.v1 import template_pb2, template_pb2_grpc

MAGIC_COOKIE_KEY = "WAOOAW_TEMPLATE_PLUGIN"
MAGIC_COOKIE_VALUE = "8f0c5b7e-waooaw-template"
# The template protocol versions this runtime speaks, newest first.
PROTOCOL_VERSIONS = (2, 1)
CORE_PROTOCOL_VERSION = 1  # go-plugin's own handshake version
MAX_MESSAGE_BYTES = 16 << 20


def _certificate():
    """A one-time self-signed certificate for localhost: (cert PEM, key PEM, cert DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "waooaw template plugin"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=True, key_agreement=True, key_cert_sign=True,
            content_commitment=False, data_encipherment=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()),
        cert.public_bytes(serialization.Encoding.DER),
    )


def _health_handler():
    """grpc.health.v1.Health/Check answering SERVING, without grpcio-health-checking."""
    def check(request, context):
        return b"\x08\x01"  # HealthCheckResponse{status: SERVING}
    return grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            check, request_deserializer=lambda b: b, response_serializer=lambda b: b),
    })


class _Service(template_pb2_grpc.TemplateServiceServicer):
    def __init__(self, template, template_id):
        self.t = template
        self.id = template_id

    def _fail(self, context, method, err):
        # The template's own failure: UNKNOWN with its message (the host's
        # ErrFailed, 500 template_failed). The stack goes to stderr, which
        # the host shows prefixed with the plugin's name.
        traceback.print_exc(file=sys.stderr)
        context.abort(grpc.StatusCode.UNKNOWN, "template %s: %s: %s" % (self.id, method, err))

    def Describe(self, request, context):
        try:
            d = self.t.describe()
        except Exception as err:  # noqa: BLE001 - every failure goes to the host
            self._fail(context, "describe", err)
        return template_pb2.DescribeResponse(description_json=json.dumps(d).encode())

    def Validate(self, request, context):
        try:
            config = json.loads(request.config_json or b"null")
        except ValueError as err:
            return template_pb2.ValidateResponse(issues=[
                template_pb2.Issue(field="", issue="is not valid JSON: %s" % err)])
        try:
            issues = self.t.validate(config)
        except Exception as err:  # noqa: BLE001
            self._fail(context, "validate", err)
        return template_pb2.ValidateResponse(issues=[
            template_pb2.Issue(field=i["field"], issue=i["issue"]) for i in issues])

    def Render(self, request, context):
        try:
            req = json.loads(request.request_json)
        except ValueError as err:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "template %s: decode render request: %s" % (self.id, err))
        try:
            spec = self.t.render(req)
        except Exception as err:  # noqa: BLE001
            self._fail(context, "render", err)
        return template_pb2.RenderResponse(spec_json=json.dumps(spec).encode())


def _usage(out, name):
    out.write("%s is a waooaw template plugin: a waooaw template host (the mock server, the\n"
              "factory) runs it from its plugin directory.\n\n"
              "Usage:\n  %s describe    print the template's description as JSON\n" % (name, name))


def serve(template, argv=None):
    """Runs template as a plugin; never returns (exits the process)."""
    argv = sys.argv if argv is None else argv
    name = os.path.basename(os.environ.get("WAOOAW_PLUGIN_NAME", argv[0]))
    if len(argv) > 1:
        if argv[1] == "describe":
            print(json.dumps(template.describe(), indent=2))
            sys.exit(0)
        _usage(sys.stderr, name)
        sys.exit(2)
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        _usage(sys.stderr, name)
        sys.exit(1)

    # Negotiation: the newest version both sides speak.
    offered = [int(v) for v in os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "").split(",") if v.strip()]
    common = [v for v in PROTOCOL_VERSIONS if v in offered]
    if not common:
        sys.stderr.write("%s: the host speaks template protocol %s, this plugin %s\n"
                         % (name, offered, list(PROTOCOL_VERSIONS)))
        sys.exit(1)
    version = common[0]

    host_cert = os.environ.get("PLUGIN_CLIENT_CERT", "").encode()
    if not host_cert:
        sys.stderr.write("%s: no PLUGIN_CLIENT_CERT: the host must use mutual TLS\n" % name)
        sys.exit(1)
    cert_pem, key_pem, cert_der = _certificate()

    template_id = template.describe()["template_id"]
    sock_dir = os.environ.get("PLUGIN_UNIX_SOCKET_DIR") or tempfile.mkdtemp(prefix="waooaw-py-plugin-")
    sock = tempfile.mktemp(prefix="plugin", dir=sock_dir)

    def cleanup_and_exit(*_):
        try:
            os.remove(sock)
        except OSError:
            pass
        if os.environ.get("WAOOAW_TEMPLATE_PLUGIN_WATCH") == "stdin":
            shutil.rmtree(sock_dir, ignore_errors=True)  # the host's job, had it not died
            try:
                os.rmdir(os.path.dirname(sock_dir))  # fails while other plugins' remain
            except OSError:
                pass
        os._exit(0)

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                 ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    template_pb2_grpc.add_TemplateServiceServicer_to_server(_Service(template, template_id), server)
    server.add_generic_rpc_handlers((_health_handler(),))
    creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], root_certificates=host_cert,
                                        require_client_auth=True)
    server.add_secure_port("unix:" + sock, creds)
    server.start()

    signal.signal(signal.SIGTERM, cleanup_and_exit)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # go-plugin's rule: the host decides

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        cleanup_and_exit()
    threading.Thread(target=watch_stdin, daemon=True).start()

    cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
    sys.stdout.write("%d|%d|unix|%s|grpc|%s\n" % (CORE_PROTOCOL_VERSION, version, sock, cert_b64))
    sys.stdout.flush()
    server.wait_for_termination()
    cleanup_and_exit()
