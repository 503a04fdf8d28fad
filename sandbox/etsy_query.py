"""Query and path parameters checked as Etsy's OpenAPI document declares them (types, minimums,
maximums, enums). A bad one raises BadParameter, which the API answers with 400 and Etsy's error
shape; the enum message is Etsy's own ("Invalid value (sold out) for enum(...)")."""

EARLIEST = 946684800  # 2000-01-01: the minimum of every Etsy timestamp parameter
SORT_ORDERS = ("asc", "ascending", "desc", "descending", "up", "down")
DESCENDING = {"desc", "descending", "down"}
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class BadParameter(Exception):
    pass


def integer(params, name, default=None, minimum=None, maximum=None):
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"Expected int for {name}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = " and ".join(
            part
            for part in (
                maximum is not None and f"<= {maximum}",
                minimum is not None and f">= {minimum}",
            )
            if part
        )
        raise BadParameter(f"Expected int {bounds} for {name}")
    return value


def path_id(name, value):
    """Path ids are int64 with a minimum of 1."""
    return integer({name: str(value)}, name, minimum=1)


def choice(params, name, allowed, default):
    value = params.get(name, default)
    if value not in allowed:
        raise BadParameter(f"Invalid value ({value}) for enum({', '.join(allowed)})")
    return value


def boolean(params, name):
    """True, False, or None when absent (Etsy's nullable booleans)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in BOOLEANS:
        raise BadParameter(f"Expected bool for {name}")
    return BOOLEANS[raw.lower()]


def includes(params, allowed):
    """The associations asked for, by their names in `allowed`. Given as repeated parameters
    (OpenAPI's exploded form) or comma-separated, unencoded as etsy-python sends them; matched
    without regard to case, as clients send `images` as well as `Images`."""
    by_lower = {name.lower(): name for name in allowed}
    asked = [
        part.strip() for value in params.getlist("includes") for part in value.split(",") if part.strip()
    ]
    unknown = [part for part in asked if part.lower() not in by_lower]
    if unknown:
        raise BadParameter(f"Invalid value ({unknown[0]}) for enum({', '.join(allowed)})")
    return {by_lower[part.lower()] for part in asked}


def paging(params):
    """Etsy's paging: limit 1..100 (default 25), offset from 0."""
    return (
        integer(params, "limit", default=25, minimum=1, maximum=100),
        integer(params, "offset", default=0, minimum=0),
    )


def sort_descending(params):
    return choice(params, "sort_order", SORT_ORDERS, "desc") in DESCENDING
