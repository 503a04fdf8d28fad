"""Printfront's one outbound HTTP client, for the platform adapters and for URLs people give us
(store URLs, design files, postback targets). Use `request()`, `get()` or `post()`; never call
`requests` directly, because this module adds what a bare call lacks:

- SSRF guard: refuse URLs that lead to private, loopback, link-local and similar addresses, and
  check the address each connection actually reached (DNS rebinding). While the sandbox is on, its
  own address (SANDBOX_URL's host and port) is the one exception; link-local and cloud metadata
  addresses are refused in every mode.
- A timeout on every request, at most settings.OUTBOUND_TIMEOUT, and with `deadline()` a cap on
  the total time of every call made inside it, retries and waits included (for web requests and
  postbacks). The timeout bounds each read only; under a deadline the connections are also cut
  when it passes, so a server trickling its answer a byte at a time cannot hold the caller.
- Retries for connection failures, 429 and 5xx, honouring Retry-After.
- No automatic redirects: a redirect could point anywhere, so callers follow one by calling again,
  which checks the new URL.
"""

import ipaddress
import logging
import random
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache, wraps
from typing import Any
from urllib.parse import urlsplit

import idna
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, NewConnectionError
from urllib3.util import parse_url

logger = logging.getLogger(__name__)

# Module level so tests can record waits instead of sleeping.
sleep: Callable[[float], None] = time.sleep

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the IPv4 address sits in the last 32 bits
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # operator-chosen layout, so refused whole
# Cloud metadata services outside the link-local range (AWS over IPv6, Alibaba Cloud). Like every
# link-local address, they stay refused even when the sandbox's address is set to one of them.
METADATA = frozenset(map(ipaddress.ip_address, ("fd00:ec2::254", "100.100.100.200", "192.0.0.192")))
# IETF protocol assignments (Oracle Cloud's metadata is 192.0.0.192). Python counts them private
# only from 3.11.10 and 3.12.4, so they are named here for every interpreter.
IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
# Methods a server may safely receive twice (RFC 9110, 9.2.2).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
REFUSAL = "Printfront does not connect to private, loopback or link-local addresses."


class OutboundError(Exception):
    """A request to another server failed. `permanent` says whether trying later could help."""

    permanent = False


class BlockedAddress(OutboundError):
    permanent = True


class UnsupportedURL(OutboundError):
    permanent = True


class TransientError(OutboundError):
    permanent = False


class TimedOut(TransientError):
    """No answer in time. Its message is for people: the method and host are only logged."""


# --- The SSRF guard -----------------------------------------------------------------------------


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped, 6to4 or NAT64 address leads to, if `ip` is one."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    embedded = ip.ipv4_mapped or ip.sixtofour
    if embedded is None and ip in NAT64:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return embedded


def _why_blocked(ip: IPAddress) -> str | None:
    """Say what kind of non-public address `ip` is ("a loopback address"), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL:
            return "a local-use NAT64 address"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # Judge the IPv4 address these forms lead to; a public one is fine.
            reason = _why_blocked(embedded)
            return reason and f"an IPv6 form of {embedded}, {reason}"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in CARRIER_GRADE_NAT:
        return "a carrier-grade NAT address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in IETF_PROTOCOL:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def _is_address_literal(host: str) -> bool:
    """True for an IP address in any form a resolver accepts (127.1, 0x7f000001): no name lookup."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        try:
            socket.inet_aton(host)
        except OSError:
            return False
    return True


def _refuse_if_blocked(address: str, host: str, how: str = "resolves to") -> None:
    reason = _why_blocked(ipaddress.ip_address(address))
    if reason is None:
        return
    if host.lower() == address.lower():
        raise BlockedAddress(f"{address} is {reason}; {REFUSAL}")
    if _is_address_literal(host):
        raise BlockedAddress(f"{host} {how} {address}, which is {reason}; {REFUSAL}")
    # What a name resolves to goes to the log only: shown to the person, it would let anyone
    # read the internal network's DNS through Printfront.
    logger.warning("Refused %s: it %s %s, which is %s.", host, how, address, reason)
    raise BlockedAddress(f"{host} does not lead to a public address; {REFUSAL}")


def _parse(url: str) -> tuple[str, int]:
    """Return the host and port of an acceptable URL. Uses urllib3's parser, as requests does, so
    both agree on what the host is."""
    try:
        parts = parse_url(url)
    except LocationParseError as exc:
        raise UnsupportedURL("That is not a valid URL.") from exc
    if parts.scheme not in ("http", "https"):
        scheme = f"{parts.scheme}:" if parts.scheme else "URLs without a scheme"
        raise UnsupportedURL(f"Only http and https URLs are supported, not {scheme}.")
    if parts.auth is not None:
        raise UnsupportedURL("URLs with a user name or password in them are not supported.")
    host = (parts.host or "").strip("[]")
    if not host:
        raise UnsupportedURL("The URL has no host name.")
    return host, parts.port or (443 if parts.scheme == "https" else 80)


# --- Host names: the ASCII form for the wire, the Unicode form for people -----------------------


def ascii_host(host: str) -> str:
    """'Bücher.Example' -> 'xn--bcher-kva.example': the form requests send, so one shop has one
    identity however its address was typed. ASCII names are only lowercased (as urllib3 does,
    only names with other characters are IDNA-encoded)."""
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise UnsupportedURL(f"{host} is not a valid host name.") from None


def unicode_host(host: str) -> str:
    """'xn--bcher-kva.example' -> 'bücher.example': a host name as people write it."""
    if "xn--" not in host.lower():
        return host
    try:
        return idna.decode(host)
    except idna.IDNAError:
        return host


def _with_host(netloc: str, convert: Callable[[str], str]) -> str:
    # IP literals need nothing; user names in URLs are refused later by check_url().
    if netloc.startswith("[") or "@" in netloc:
        return netloc.lower()
    host, colon, port = netloc.partition(":")
    return convert(host) + colon + port


def ascii_netloc(netloc: str) -> str:
    """A URL's host[:port] with the host in its ASCII form (see ascii_host)."""
    return _with_host(netloc, ascii_host)


def unicode_url(url: str) -> str:
    """A URL to show people: its host name in Unicode, the rest as it is."""
    netloc = urlsplit(url).netloc
    return url.replace(netloc, _with_host(netloc, unicode_host), 1) if netloc else url


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        # EAI_AGAIN is the resolver saying "try later"; anything else is a name that does not exist.
        error = TransientError if getattr(exc, "errno", None) == socket.EAI_AGAIN else OutboundError
        raise error(f"Could not find the server {unicode_host(host)}.") from exc
    addresses = {info[4][0] for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)}
    if not addresses:
        raise OutboundError(f"Could not find the server {unicode_host(host)}.")
    return sorted(addresses)


@lru_cache(maxsize=8)
def _sandbox_endpoints(sandbox_url: str) -> frozenset[tuple[IPAddress, int]]:
    """The (address, port) pairs where the sandbox answers, resolved once per process so a later
    DNS answer cannot widen the exception. Raises OutboundError (not cached) if the host is unknown."""
    host, port = _parse(sandbox_url)
    endpoints = set()
    for address in _resolve(host, port):
        ip = ipaddress.ip_address(address)
        embedded = _embedded_ipv4(ip)
        judged = ip if embedded is None else embedded
        if not (judged.is_link_local or judged in METADATA):
            endpoints.add((ip, port))
    return frozenset(endpoints)


def _is_sandbox(address: str, port: int) -> bool:
    """True if the sandbox is on and answers at `address`:`port`, the only non-public endpoint
    Printfront may reach, and only in development."""
    if not settings.SANDBOX_ENABLED:
        return False
    try:
        endpoints = _sandbox_endpoints(settings.SANDBOX_URL)
    except OutboundError:
        return False
    return (ipaddress.ip_address(address), port) in endpoints


def check_url(url: str) -> None:
    """Raise UnsupportedURL or BlockedAddress if Printfront would refuse to fetch `url`, or
    OutboundError if its host cannot be found. Resolves the host once and connects nowhere."""
    host, port = _parse(url)
    # Every address counts: the connection may use any of them.
    for address in _resolve(host, port):
        if not _is_sandbox(address, port):
            _refuse_if_blocked(address, host)


def check_url_form(url: str) -> None:
    """Raise UnsupportedURL or BlockedAddress if `url` is refused on its face: not http(s), a
    user name or password in it, no host, or a host that is itself a refused address (10.0.0.5,
    127.1). Resolves no name and connects nowhere, so it suits checking many URLs at once (a
    CSV's); a name's addresses are still checked by check_url() and when the URL is fetched."""
    host, port = _parse(url)
    if not _is_address_literal(host):
        return
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:  # a short or numeric IPv4 form only the resolver reads: 127.1, 0x7f000001
        address = socket.inet_ntoa(socket.inet_aton(host))
    if not _is_sandbox(address, port):
        _refuse_if_blocked(address, host, how="is")


class _PeerCheck:
    """Checks the address a new socket is actually connected to.

    check_url() resolves the host to give a clear early error, but urllib3 resolves it again to
    connect, and a hostile DNS server can answer differently the second time (DNS rebinding).
    Checking the socket's peer closes that gap whatever the resolver said. _new_conn() is where
    urllib3 opens the socket for both http and https, so the check runs before the TLS handshake
    or any byte of the request is sent.
    """

    host: str

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        address, port = sock.getpeername()[:2]
        if not _is_sandbox(address, port):
            try:
                _refuse_if_blocked(address, self.host, how="connected to")
            except BlockedAddress:
                sock.close()
                raise
        _watch(sock)  # from here on: the TLS handshake and the request
        return sock

    def getresponse(self, *args: Any, **kwargs: Any):
        # A connection from the pool was opened under another deadline, or none.
        if self.sock is not None:  # type: ignore[attr-defined]
            _watch(self.sock)  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _new_session() -> requests.Session:
    session = requests.Session()
    # Ignore proxy and .netrc settings from the environment: behind a proxy the socket's peer is the
    # proxy, not the target, and the peer check would guard nothing.
    session.trust_env = False
    adapter = _GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_session = _new_session()


# --- Total deadline -----------------------------------------------------------------------------

_deadline: ContextVar[float | None] = ContextVar("outbound_deadline", default=None)


class _Watchdog:
    """Shuts down the sockets used under a deadline when it passes. A blocked read then returns
    at once: without this, a server sending a byte just within each read's timeout could hold
    the caller (a web worker, the postback sender) for hours. The timer starts with the first
    socket, so a deadline that makes no request costs no thread."""

    def __init__(self, end: float):
        self.end = end
        self.sockets: set[socket.socket] = set()
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def watch(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.add(sock)
            if self.timer is None:
                self.timer = threading.Timer(max(0.0, self.end - time.monotonic()), self.cut)
                self.timer.daemon = True
                self.timer.start()

    def cut(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, set()
        for sock in sockets:
            with suppress(OSError):  # closed already
                # The plain socket's shutdown even for TLS: SSLSocket's own would unwrap the
                # TLS state under the reading thread's feet.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def stop(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.sockets = set()


_watchdog: ContextVar[_Watchdog | None] = ContextVar("outbound_watchdog", default=None)


def _watch(sock: socket.socket) -> None:
    watchdog = _watchdog.get()
    if watchdog is not None:
        watchdog.watch(sock)


@contextmanager
def deadline(seconds: float):
    """Cap the total time of the requests made inside (a `with` block or a decorated view), retries
    and their waits included, at `seconds`; nested deadlines keep the nearer end. A web request
    that calls a platform uses this, so a hanging platform cannot hold a gunicorn worker; so does
    the postback sender. Reading a streamed body counts too, if it is read inside."""
    end = time.monotonic() + seconds
    outer = _deadline.get()
    end = end if outer is None else min(end, outer)
    watchdog = _Watchdog(end)
    token, watching = _deadline.set(end), _watchdog.set(watchdog)
    try:
        yield
    finally:
        watchdog.stop()
        _watchdog.reset(watching)
        _deadline.reset(token)


def within_request_deadline(view):
    """Decorate a view that calls a platform while a person waits: all its calls together take at
    most settings.OUTBOUND_REQUEST_DEADLINE seconds."""

    @wraps(view)
    def bounded(*args, **kwargs):
        with deadline(settings.OUTBOUND_REQUEST_DEADLINE):
            return view(*args, **kwargs)

    return bounded


def _time_left() -> float | None:
    end = _deadline.get()
    return None if end is None else end - time.monotonic()


# --- Retries ------------------------------------------------------------------------------------


def _retry_after(response: requests.Response) -> float | None:
    return retry_after_seconds(response.headers.get("Retry-After"))


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a Retry-After value asks us to wait (seconds or an HTTP date); None if unreadable."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s ... give or take 20 %, so clients that failed together do not retry together."""
    return 0.5 * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


def _status_is_retryable(status: int, safe: bool) -> bool:
    # 429 and 503 mean the server did not process the request, so even a POST may go again.
    if status in (429, 503):
        return True
    return safe and 500 <= status < 600


def _was_not_sent(exc: requests.RequestException) -> bool:
    """True if the failure happened before the request reached the server (nothing to repeat)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def request(
    method: str,
    url: str,
    *,
    params: Any = None,
    json: Any = None,
    data: Any = None,
    headers: dict[str, str] | None = None,
    auth: Any = None,
    timeout: float | None = None,
    attempts: int = 3,
    max_wait: float = 30,
    retry_unsafe: bool = False,
    retry_if: Callable[[requests.Response], bool] | None = None,
    stream: bool = False,
) -> requests.Response:
    """Send a request and return the response, whatever its status; redirects are not followed.

    Retries connection failures, 429 and 5xx up to `attempts` times in all. POST, PATCH and other
    non-idempotent methods are retried only when the server cannot have acted on them (connection
    refused, 429, 503) unless `retry_unsafe` is set; `retry_if(response)` False keeps an answer a
    retry now cannot change (Etsy's 429 for a spent daily allowance). Raises UnsupportedURL or
    BlockedAddress for URLs Printfront refuses, and TransientError when the last attempt could not
    get a response. With `stream`, the body is left unread for the caller to read in pieces (and
    cap), as for design files; the caller closes the response.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    method = method.upper()
    check_url(url)
    host = parse_url(url).host  # logs name the host only: paths and queries can carry API keys
    safe = retry_unsafe or method in IDEMPOTENT
    limit = float(settings.OUTBOUND_TIMEOUT)
    timeout = limit if timeout is None else min(timeout, limit)
    headers = {"User-Agent": f"Printfront/0.1 (+{settings.SITE_URL})", **(headers or {})}

    for attempt in range(1, attempts + 1):
        left = _time_left()
        if left is not None and left <= 0:
            raise TimedOut("The server did not answer in time.")
        this_timeout = timeout if left is None else min(timeout, left)
        try:
            response = _session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=headers,
                auth=auth,
                timeout=(this_timeout, this_timeout),
                allow_redirects=False,
                stream=stream,
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            # Cut by the deadline's watchdog, the connection looks closed by the server.
            timed_out = isinstance(exc, requests.Timeout) or no_time_for(0)
            wait = min(_backoff(attempt), max_wait)
            if attempt == attempts or not (safe or _was_not_sent(exc)) or no_time_for(wait):
                # The exception's class only: its text includes the URL.
                logger.warning(
                    "%s %s failed after %d attempt(s): %s", method, host, attempt, type(exc).__name__
                )
                if timed_out:
                    raise TimedOut("The server did not answer in time.") from exc
                raise TransientError("Could not connect to the server.") from exc
            outcome = type(exc).__name__
        else:
            if no_time_for(0):
                # The watchdog may have cut the answer short: its head can parse as complete.
                response.close()
                logger.warning("%s %s was cut at the deadline (attempt %d)", method, host, attempt)
                raise TimedOut("The server did not answer in time.")
            if attempt == attempts or not _status_is_retryable(response.status_code, safe):
                return response
            if retry_if is not None and not retry_if(response):
                return response
            asked = _retry_after(response)
            wait = min(_backoff(attempt) if asked is None else asked, max_wait)
            if no_time_for(wait):
                return response
            outcome = f"HTTP {response.status_code}"
            response.close()
        logger.info(
            "Retrying %s %s after %s: waiting %.1f s (attempt %d of %d)",
            method,
            host,
            outcome,
            wait,
            attempt + 1,
            attempts,
        )
        sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


def no_time_for(wait: float) -> bool:
    """True when a deadline leaves no time to wait `wait` seconds and try again."""
    left = _time_left()
    return left is not None and left <= wait


def get(url: str, **kwargs: Any) -> requests.Response:
    return request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> requests.Response:
    return request("POST", url, **kwargs)
