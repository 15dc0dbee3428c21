"""A real SMTP server for the email tests: aiosmtpd on a loopback port, started by the test."""

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME, PASSWORD = "tracker", "smtp-password-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it accepts and refuses as told."""

    received: list[Received] = field(default_factory=list)
    #: Answer this many DATA commands with ``refusal`` before accepting.
    refuse: int = 0
    refusal: str = "451 4.3.0 Try again later"
    #: Recipients refused for good at RCPT.
    unknown: set[str] = field(default_factory=set)
    data_commands: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's API
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.data_commands += 1
            if self.refuse > 0:
                self.refuse -= 1
                return self.refusal
            parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                              policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Accepted"

    def subjects(self) -> list[str]:
        return [item.message["Subject"] for item in self.received]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server(app, monkeypatch):
    """Start an SMTP server on 127.0.0.1 and point the app's ``MAIL_*`` settings at it (plain SMTP)."""
    servers = []

    def start(*, authenticate: bool = False, **kwargs) -> tuple[Recorder, Controller]:
        recorder = Recorder()
        options = {"authenticator": _authenticator, "auth_require_tls": False} if authenticate else {}
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options, **kwargs)
        controller.start()
        servers.append(controller)
        for key, value in {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_SECURITY": "none",
                           "MAIL_FROM": "noreply@tracker.example.org", "MAIL_USERNAME": None,
                           "MAIL_PASSWORD": None, "MAIL_MAX_ATTEMPTS": 6, "MAIL_BACKOFF_SECONDS": 300,
                           "MAIL_TIMEOUT_SECONDS": 5}.items():
            monkeypatch.setitem(app.config, key, value)
        return recorder, controller

    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made by openssl: (certificate file, key file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return str(cert), str(key)


def server_tls_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context
