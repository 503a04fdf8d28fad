"""Signals catalog sends for the apps after it (which it may not import)."""

from django.dispatch import Signal

# Sent after commit when a store's mappings were made or changed; `store_id`. Orders waiting
# in "Needs mapping" listen, to link their items and continue.
mappings_changed = Signal()


def send_mappings_changed(store_id):
    from django.db import transaction

    transaction.on_commit(lambda: mappings_changed.send(sender=None, store_id=store_id))
