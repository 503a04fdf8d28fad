"""The container healthcheck (docker-compose.yml): GET /healthz/ from the web server inside the
container, as a request for SITE_URL's host, the only host allowed without DEBUG. /healthz/ is
exempt from the https redirect (settings.SECURE_REDIRECT_EXEMPT), and a redirect counts as a
failure rather than being followed out to the public address. Standard library only: it runs
every few seconds, so it does not load Django.

Usage: python config/healthcheck.py [address, default http://127.0.0.1:8000]"""

import os
import sys
import urllib.request
from urllib.error import URLError
from urllib.parse import urlsplit


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx is then raised as an HTTPError


def main(address: str = "http://127.0.0.1:8000") -> None:
    host = urlsplit(os.environ.get("SITE_URL") or address).netloc
    request = urllib.request.Request(f"{address}/healthz/", headers={"Host": host})  # noqa: S310
    try:
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=4):
            pass
    except (URLError, OSError) as error:
        sys.exit(f"unhealthy: {error}")


if __name__ == "__main__":
    main(*sys.argv[1:])
