"""Messages written now and read later, each time in the reader's language.

An order's history is written by the worker, or by whoever acted, in their language, and read by
the client's people and the printer's staff in theirs. So what Printfront itself writes there is
kept as its source text and values, `later(gettext_noop("Received from %(store)s."), store=...)`,
and a ReadLaterTextField stores it so; shown (str()), it is translated into the language active
then. Text someone typed (a reason) is stored and shown as written. Compared or sent elsewhere (a
postback's JSON), a message is its source text: English."""

import json

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, override

# How a stored message starts; anything else in the column is shown as written.
MARK = '{"read_later": '


class ReadLater(str):
    """A message as its source text and values. As a str it is the source text filled in (so it
    compares, slices and serializes as English); str() of it is the reader's translation."""

    def __new__(cls, msgid, values):
        message = super().__new__(cls, _filled(msgid, values, _as_written))
        message.msgid, message.values = msgid, values
        return message

    def __str__(self):
        return _filled(self.msgid, self.values, gettext)

    def stored(self):
        return MARK + json.dumps({"msgid": self.msgid, "values": self.values}) + "}"


def later(msgid, **values):
    """`msgid` (marked with gettext_noop, so it is in the catalog) with its values, to translate
    when read. A lazy translation among the values (a choice's label) is translated when read too."""
    kept = {}
    with override(None):  # a lazy translation's source text
        for name, value in values.items():
            kept[name] = {"translate": str(value)} if isinstance(value, Promise) else str(value)
    return ReadLater(msgid, kept)


def _as_written(text):
    return text


def _filled(msgid, values, translate):
    if not values:
        return translate(msgid)
    shown = {name: translate(str(v["translate"])) if isinstance(v, dict) else v for name, v in values.items()}
    try:
        return translate(msgid) % shown
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder: the source text, rather than no history.
        return msgid % {name: v["translate"] if isinstance(v, dict) else v for name, v in values.items()}


class ReadLaterTextField(models.TextField):
    """A TextField that keeps a ReadLater as such, and gives it back as one."""

    def get_prep_value(self, value):
        if isinstance(value, ReadLater):
            return value.stored()
        return super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else parsed(value)


def parsed(text):
    """The ReadLater a stored text holds, or the text itself."""
    if not text.startswith(MARK):
        return text
    try:
        kept = json.loads(text)["read_later"]
        if isinstance(kept["msgid"], str) and isinstance(kept["values"], dict):
            return ReadLater(kept["msgid"], kept["values"])
    except (ValueError, KeyError, TypeError):
        pass
    return text  # shown as it is rather than lost
