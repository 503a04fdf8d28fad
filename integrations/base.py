"""What every platform adapter shares: the one error type, and the connection it reports."""

from dataclasses import dataclass, field


class AdapterError(Exception):
    """A platform call failed. `permanent` says whether trying again can help (bad credentials,
    revoked access, refused addresses: no; timeouts, 429, 5xx: yes, after `retry_after`)."""

    def __init__(self, message, *, permanent=False, retry_after=None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Connection:
    """What connecting a store found out: who the shop is and what it granted us."""

    name: str
    shop_identity: str
    base_url: str
    credentials: dict
    scopes: list = field(default_factory=list)
