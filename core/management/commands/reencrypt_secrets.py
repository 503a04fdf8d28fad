from django.core.management.base import BaseCommand

from core.fields import reencrypt_all


class Command(BaseCommand):
    help = (
        "Rewrite every encrypted secret (store tokens, API keys, webhook secrets) under the first key "
        "of FIELD_ENCRYPTION_KEYS. To rotate keys: 1. put the new key first in FIELD_ENCRYPTION_KEYS, "
        "keeping the old keys after it; 2. deploy (new values are now encrypted with the new key, old "
        "ones stay readable); 3. run this command; 4. remove the old keys and deploy again."
    )

    def handle(self, *args, **options):
        count, unreadable = reencrypt_all(stdout=self.stdout if options["verbosity"] > 1 else None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {count} secret values under the first key of FIELD_ENCRYPTION_KEYS."
            )
        )
        if unreadable:
            # Values under a key no longer configured (a store to reconnect) or corrupt ones.
            self.stdout.write(
                self.style.WARNING(
                    f"{unreadable} unreadable values left as they are: no key in "
                    "FIELD_ENCRYPTION_KEYS decrypts them (put the old key back to read them, "
                    "or reconnect the stores that use them)."
                )
            )
