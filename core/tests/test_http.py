"""The outbound HTTP client, against a real HTTP server on 127.0.0.1. There is no internet here:
public addresses are only ever checked with check_url(), which connects nowhere."""

import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import http as outbound
from core.http import BlockedAddress, OutboundError, TimedOut, TransientError, UnsupportedURL
from core.testing import Trickler


class Handler(BaseHTTPRequestHandler):
    """Answers from the server's script: a list of (status, headers, delay) used in turn, the last
    one repeating. Records every request it sees."""

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        script = self.server.script
        status, headers, delay = script.pop(0) if len(script) > 1 else script[0]
        time.sleep(delay)
        body = b"hello"
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up waiting

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.script = [(200, {}, 0)]
    httpd.seen = []
    httpd.url = f"http://127.0.0.1:{httpd.server_port}/"
    # A short poll interval so shutdown() returns quickly.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    """Record the client's waits instead of sleeping through them."""
    recorded = []
    monkeypatch.setattr(outbound, "sleep", recorded.append)
    return recorded


@pytest.fixture
def sandbox(settings, server):
    """Development mode, with the sandbox answering at the test server's address."""
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_URL = server.url.rstrip("/")


@pytest.fixture
def production(settings):
    settings.SANDBOX_ENABLED = False


@pytest.fixture(params=["production", "sandbox"])
def any_mode(request):
    return request.getfixturevalue(request.param)


# --- The SSRF guard -----------------------------------------------------------------------------

BLOCKED = [
    ("http://127.1/", "127.0.0.1"),
    ("http://0x7f000001/", "127.0.0.1"),
    ("http://2130706433/", "127.0.0.1"),
    ("http://017700000001/", "127.0.0.1"),
    ("http://[::1]/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
    ("http://0.0.0.0/", "0.0.0.0"),  # noqa: S104 - a URL to refuse, not a bind
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://10.0.0.1/", "10.0.0.1"),
    ("http://192.168.1.1/", "192.168.1.1"),
    ("http://172.16.0.1/", "172.16.0.1"),
    ("http://100.64.0.1/", "100.64.0.1"),
    ("http://localhost/", "localhost"),
    ("http://[fe80::1]/", "fe80::1"),
    ("http://[fc00::1]/", "fc00::1"),
    ("https://224.0.0.1/", "224.0.0.1"),
    ("http://[2002:7f00:1::]/", "2002:7f00:1::"),  # 6to4 wrapping 127.0.0.1
    ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1"),  # NAT64 wrapping 10.0.0.1
    ("http://127.0.0.1:8000/admin/", "127.0.0.1"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"),  # AWS metadata over IPv6
    ("http://100.100.100.200/latest/meta-data/", "100.100.100.200"),  # Alibaba Cloud metadata
    ("http://192.0.0.192/opc/v2/instance/", "192.0.0.192"),  # Oracle Cloud metadata
    ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254"),
]


@pytest.mark.parametrize(("url", "address"), BLOCKED)
def test_check_url_refuses_non_public_addresses(any_mode, url, address):
    with pytest.raises(BlockedAddress) as caught:
        outbound.check_url(url)
    assert address in str(caught.value)
    assert "Printfront does not connect to private, loopback or link-local addresses" in str(caught.value)
    assert caught.value.permanent


@pytest.mark.parametrize(("url", "address"), BLOCKED)
def test_get_refuses_non_public_addresses(any_mode, url, address):
    with pytest.raises(BlockedAddress, match=address.replace(".", r"\.")):
        outbound.get(url)


def test_the_message_says_what_the_address_is(production):
    with pytest.raises(BlockedAddress) as caught:
        outbound.check_url("http://127.0.0.1/")
    assert str(caught.value) == (
        "127.0.0.1 is a loopback address; "
        "Printfront does not connect to private, loopback or link-local addresses."
    )
    with pytest.raises(BlockedAddress, match=r"an IPv6 form of 127\.0\.0\.1, a loopback address"):
        outbound.check_url("http://[::ffff:127.0.0.1]/")


def test_every_resolved_address_is_checked(production, monkeypatch):
    real = socket.getaddrinfo

    def public_and_private(host, port, *args, **kwargs):
        if host == "mixed.test":
            return real("93.184.215.14", port, *args, **kwargs) + real("10.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", public_and_private)
    with pytest.raises(BlockedAddress, match=r"mixed\.test does not lead to a public address"):
        outbound.check_url("http://mixed.test/")


def test_the_message_never_tells_what_a_name_resolves_to(production, monkeypatch, caplog):
    """Otherwise anyone could read the internal DNS through Printfront; the log keeps it."""
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *args, **kwargs: real("10.1.2.3" if host == "db.internal" else host, *args, **kwargs),
    )
    with caplog.at_level("WARNING", logger="core.http"), pytest.raises(BlockedAddress) as caught:
        outbound.check_url("http://db.internal/")
    assert str(caught.value) == (
        "db.internal does not lead to a public address; "
        "Printfront does not connect to private, loopback or link-local addresses."
    )
    assert "Refused db.internal: it resolves to 10.1.2.3, which is a private address." in caplog.text


@pytest.mark.parametrize(
    "url", ["http://93.184.215.14/", "https://93.184.215.14:8443/x?y=1", "http://[2606:4700::6812:1a78]/"]
)
def test_public_addresses_pass(production, url):
    assert outbound.check_url(url) is None


def test_unresolvable_hosts_are_a_clear_error(production):
    with pytest.raises(OutboundError, match=r"Could not find the server example\.invalid"):
        outbound.check_url("http://example.invalid/")
    with pytest.raises(OutboundError, match=r"example\.invalid"):
        outbound.get("http://example.invalid/orders")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "not file:"),
        ("ftp://x/", "not ftp:"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "not gopher:"),
        ("example.com/orders", "without a scheme"),
        ("http://user:pw@127.0.0.1/", "user name or password"),
        ("http:///orders", "no host"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
@pytest.mark.parametrize("sandbox_on", [True, False])
def test_unsupported_urls(settings, url, message, sandbox_on):
    settings.SANDBOX_ENABLED = sandbox_on
    with pytest.raises(UnsupportedURL, match=message):
        outbound.check_url(url)
    with pytest.raises(UnsupportedURL, match=message):
        outbound.get(url)


def test_the_sandbox_reaches_local_servers(sandbox, server, settings):
    response = outbound.get(server.url + "orders?page=2")
    assert response.status_code == 200
    assert response.text == "hello"
    method, path, headers = server.seen[0]
    assert (method, path) == ("GET", "/orders?page=2")
    assert headers["User-Agent"] == f"Printfront/0.1 (+{settings.SITE_URL})"


def test_redirects_are_returned_not_followed(sandbox, server):
    server.script = [(302, {"Location": f"http://127.0.0.1:{server.server_port}/secret"}, 0)]
    response = outbound.get(server.url)
    assert response.status_code == 302
    assert [path for _, path, _ in server.seen] == ["/"]


def test_without_the_sandbox_the_local_server_is_never_contacted(production, server):
    with pytest.raises(BlockedAddress):
        outbound.get(server.url)
    assert server.seen == []


def test_the_sandbox_switch_allows_the_sandbox_address_only(sandbox, settings, server):
    other = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    other.seen = []
    try:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a loopback address"):
            outbound.get(f"http://127.0.0.1:{other.server_port}/")
        with pytest.raises(BlockedAddress, match=r"10\.0\.0\.1 is a private address"):
            outbound.check_url(f"http://10.0.0.1:{server.server_port}/")
    finally:
        other.server_close()
    assert other.seen == []
    assert outbound.get(server.url).status_code == 200


@pytest.mark.parametrize(
    "sandbox_url",
    [
        "http://169.254.169.254",
        "http://[fe80::1]:8100",
        "http://[::ffff:169.254.169.254]",
        "http://[fd00:ec2::254]",
        "http://100.100.100.200",
        "http://192.0.0.192",
    ],
)
def test_link_local_and_metadata_stay_refused_even_as_the_sandbox_address(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_URL = sandbox_url
    with pytest.raises(BlockedAddress):
        outbound.check_url(f"{sandbox_url}/latest/meta-data/")


def rebinding_dns(monkeypatch, first_answer):
    """Resolve rebind.test to `first_answer` once (the check), then to 127.0.0.1 (the connection)."""
    real = socket.getaddrinfo
    answers = iter([first_answer])

    def resolve(host, port, *args, **kwargs):
        if host == "rebind.test":
            host = next(answers, "127.0.0.1")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_dns_rebinding_is_caught_at_connect_time(production, server, monkeypatch, caplog):
    rebinding_dns(monkeypatch, first_answer="93.184.215.14")
    url = f"http://rebind.test:{server.server_port}/"
    with caplog.at_level("WARNING", logger="core.http"), pytest.raises(BlockedAddress) as caught:
        outbound.get(url)
    assert "127.0.0.1" not in str(caught.value)
    assert "Refused rebind.test: it connected to 127.0.0.1, which is a loopback address." in caplog.text
    assert server.seen == []


def test_the_connect_time_check_follows_the_sandbox(sandbox, server, monkeypatch):
    rebinding_dns(monkeypatch, first_answer="93.184.215.14")
    assert outbound.get(f"http://rebind.test:{server.server_port}/").status_code == 200


def test_the_connect_time_check_allows_only_the_sandbox_address(
    sandbox, settings, server, monkeypatch, caplog
):
    settings.SANDBOX_URL = "http://127.0.0.1:9"  # the sandbox is elsewhere: this server is not it
    rebinding_dns(monkeypatch, first_answer="93.184.215.14")
    with caplog.at_level("WARNING", logger="core.http"), pytest.raises(BlockedAddress):
        outbound.get(f"http://rebind.test:{server.server_port}/")
    assert "Refused rebind.test: it connected to 127.0.0.1, which is a loopback address." in caplog.text
    assert server.seen == []


# --- Retries ------------------------------------------------------------------------------------


def test_429_waits_as_asked_then_succeeds(sandbox, server, waits):
    server.script = [(429, {"Retry-After": "2"}, 0), (200, {}, 0)]
    assert outbound.get(server.url).status_code == 200
    assert waits == [2.0]
    assert len(server.seen) == 2


def test_retry_after_as_an_http_date(sandbox, server, waits):
    server.script = [(503, {"Retry-After": formatdate(time.time() + 5, usegmt=True)}, 0), (200, {}, 0)]
    assert outbound.get(server.url).status_code == 200
    assert 3 < waits[0] <= 5


def test_retry_after_is_capped_at_max_wait(sandbox, server, waits):
    server.script = [(429, {"Retry-After": "3600"}, 0), (200, {}, 0)]
    assert outbound.get(server.url, max_wait=10).status_code == 200
    assert waits == [10]


def test_persistent_503_returns_the_last_response(sandbox, server, waits):
    server.script = [(503, {}, 0)]
    response = outbound.get(server.url)
    assert response.status_code == 503
    assert len(server.seen) == 3
    # Exponential backoff with 20 % jitter when the server gives no Retry-After.
    assert len(waits) == 2
    assert 0.4 <= waits[0] <= 0.6
    assert 0.8 <= waits[1] <= 1.2


def test_500_then_200(sandbox, server):
    server.script = [(500, {}, 0), (200, {}, 0)]
    assert outbound.get(server.url).status_code == 200


def test_client_errors_are_not_retried(sandbox, server, waits):
    server.script = [(404, {}, 0)]
    assert outbound.get(server.url).status_code == 404
    assert len(server.seen) == 1
    assert waits == []


def test_post_is_retried_after_429(sandbox, server):
    server.script = [(429, {}, 0), (201, {}, 0)]
    assert outbound.post(server.url, json={"order": 1}).status_code == 201
    assert [method for method, _, _ in server.seen] == ["POST", "POST"]


def test_post_is_not_retried_after_500_unless_asked(sandbox, server):
    server.script = [(500, {}, 0), (500, {}, 0), (201, {}, 0)]
    assert outbound.post(server.url, json={}).status_code == 500
    assert outbound.post(server.url, json={}, retry_unsafe=True).status_code == 201
    assert len(server.seen) == 3


def test_retries_are_logged_without_the_url(sandbox, server, caplog):
    server.script = [(503, {"Retry-After": "1"}, 0), (200, {}, 0)]
    with caplog.at_level("INFO", logger="core.http"):
        outbound.get(server.url + "orders?consumer_secret=cs_123", headers={"Authorization": "Bearer tok"})
    assert "Retrying GET 127.0.0.1 after HTTP 503: waiting 1.0 s (attempt 2 of 3)" in caplog.text
    assert "cs_123" not in caplog.text
    assert "tok" not in caplog.text


# --- Timeouts and connection failures -----------------------------------------------------------


def test_a_slow_server_times_out(sandbox, server, waits, caplog):
    server.script = [(200, {}, 1)]
    started = time.monotonic()
    with (
        caplog.at_level("WARNING", logger="core.http"),
        pytest.raises(TimedOut, match=r"^The server did not answer in time\.$") as caught,
    ):
        outbound.get(server.url, timeout=0.2, attempts=2)
    # What a person may read names no method, host or address; the log does.
    assert "GET 127.0.0.1 failed after 2 attempt(s): ReadTimeout" in caplog.text
    assert time.monotonic() - started < 1
    assert len(server.seen) == 2
    assert len(waits) == 1
    assert caught.value.__cause__ is not None
    assert not caught.value.permanent


def test_a_post_that_timed_out_is_not_sent_again(sandbox, server):
    server.script = [(200, {}, 1)]
    with pytest.raises(TimedOut):
        outbound.post(server.url, json={}, timeout=0.2)
    assert len(server.seen) == 1


def test_the_timeout_never_exceeds_the_setting(sandbox, server, settings):
    settings.OUTBOUND_TIMEOUT = 0.2
    server.script = [(200, {}, 1)]
    started = time.monotonic()
    with pytest.raises(TransientError):
        outbound.get(server.url, timeout=60, attempts=1)
    assert time.monotonic() - started < 1


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_refused_connections_are_retried_even_for_post(settings, closed_port, waits, method):
    settings.SANDBOX_ENABLED = True
    settings.SANDBOX_URL = f"http://127.0.0.1:{closed_port}"  # a sandbox that is down
    # A refused connection never reached the server, so even a POST is safe to send again.
    with pytest.raises(TransientError, match=r"^Could not connect to the server\.$"):
        outbound.request(method, f"http://127.0.0.1:{closed_port}/")
    assert len(waits) == 2


def test_a_deadline_leaves_no_time_for_another_attempt(sandbox, server, waits):
    # Each attempt may take 5 s, but the deadline is shorter than the server's answer: one
    # attempt, cut at the deadline, and no retry.
    server.script = [(200, {}, 1)]
    with outbound.deadline(0.3), pytest.raises(TimedOut):
        outbound.get(server.url, timeout=5, attempts=3)
    assert len(server.seen) == 1
    assert waits == []


def test_a_deadline_returns_a_busy_answer_rather_than_wait_past_it(sandbox, server, waits):
    server.script = [(429, {"Retry-After": "30"}, 0), (200, {}, 0)]
    with outbound.deadline(5):
        response = outbound.get(server.url)
    assert response.status_code == 429
    assert waits == []


def test_a_spent_deadline_sends_nothing(sandbox, server):
    with outbound.deadline(0), pytest.raises(TimedOut):
        outbound.get(server.url)
    assert server.seen == []


@pytest.fixture
def trickler(settings):
    """Development mode, with the sandbox answering at the trickling server's address."""
    made = []

    def make(normal=0):
        made.append(Trickler(normal))
        settings.SANDBOX_ENABLED, settings.SANDBOX_URL = True, made[-1].url
        return made[-1]

    yield make
    for server in made:
        server.close()


def test_a_deadline_cuts_a_server_that_trickles_its_answer(trickler):
    server = trickler()
    started = time.monotonic()
    with outbound.deadline(0.5), pytest.raises(TimedOut):
        outbound.get(server.url, timeout=5, attempts=1)
    assert time.monotonic() - started < 3


def test_an_answer_cut_at_the_deadline_is_no_answer(trickler):
    """Cut after its status line, the head would parse as a complete 200 with no body."""
    server = trickler()
    with outbound.deadline(1.5), pytest.raises(TimedOut):
        outbound.get(server.url, timeout=5, attempts=1)


def test_a_deadline_cuts_a_pooled_connection_too(trickler):
    """The connection was opened (and its deadline ended) before; it is watched again."""
    server = trickler(normal=1)
    with outbound.deadline(5):
        assert outbound.get(server.url, attempts=1).status_code == 200
    started = time.monotonic()
    with outbound.deadline(0.5), pytest.raises(TimedOut):
        outbound.get(server.url, timeout=5, attempts=1)
    assert time.monotonic() - started < 3
    assert server.connections == 1  # the same connection, from the pool


def test_errors_say_whether_retrying_later_can_help():
    assert BlockedAddress("x").permanent
    assert UnsupportedURL("x").permanent
    assert not TransientError("x").permanent
    assert not OutboundError("x").permanent
    assert issubclass(TransientError, OutboundError)


@pytest.mark.parametrize(
    ("typed", "wire"),
    [
        ("Bücher.Example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("Shop.Example", "shop.example"),
        ("münchen.example:8443", "xn--mnchen-3ya.example:8443"),
        ("[::1]:8000", "[::1]:8000"),
    ],
)
def test_host_names_go_on_the_wire_in_ascii(typed, wire):
    assert outbound.ascii_netloc(typed) == wire


def test_people_see_host_names_in_unicode():
    assert (
        outbound.unicode_url("https://xn--bcher-kva.example:8443/shop") == "https://bücher.example:8443/shop"
    )
    assert outbound.unicode_url("https://shop.example/xn--path") == "https://shop.example/xn--path"
    assert outbound.unicode_url("https://xn--broken-.example") == "https://xn--broken-.example"


def test_a_host_that_is_no_name_is_refused():
    with pytest.raises(UnsupportedURL):
        outbound.ascii_host("bad\u200dname.example")


def test_a_host_that_cannot_be_found_is_named_as_typed():
    with pytest.raises(OutboundError, match=r"Could not find the server bücher\.invalid\."):
        outbound.check_url("https://xn--bcher-kva.invalid/")
