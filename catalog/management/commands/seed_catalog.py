from django.core.management.base import BaseCommand

from catalog.catalog import seed_catalog


class Command(BaseCommand):
    help = "Load the demo catalog (posters, flyers and cards, apparel, mugs, canvas) and design templates. Safe to run again."

    def handle(self, *args, **options):
        created = seed_catalog()
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalog ready: {created['products']} products and {created['templates']} design templates added."
            )
        )
