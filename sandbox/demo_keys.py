"""Stable demo credentials of the sandbox shops, so pages, docs and tests can name them.
(Plain Python: tests of the main project import it without the sandbox's models.)"""

import hashlib


def demo_key(handle, label):
    return hashlib.sha1(f"{handle}:{label}".encode()).hexdigest()  # noqa: S324 (a demo value, not a digest of secrets)


def woocommerce_key(handle, label):
    """(consumer key, consumer secret) of a demo WooCommerce key."""
    return f"ck_{demo_key(handle, label)}", f"cs_{demo_key(handle, label + ':secret')}"


WOOCOMMERCE_KEYS = (("Printfront read/write", "read_write"), ("Read only", "read"))
