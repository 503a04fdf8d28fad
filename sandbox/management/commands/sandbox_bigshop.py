"""Make a big demo shop: `DJANGO_SETTINGS_MODULE=sandbox.settings python -m django sandbox_bigshop
--platform shopify --products 10000 --variants 5`. The shop's rate limits are off unless
--rate-limits is given, so a benchmark measures the app, not the platform's limits."""

from django.core.management.base import BaseCommand

from sandbox.bigshop import make_shop
from sandbox.models import Shop


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--platform",
            choices=[Shop.Platform.SHOPIFY, Shop.Platform.WOOCOMMERCE, Shop.Platform.ETSY],
            default="shopify",
        )
        parser.add_argument("--handle", default="", help="The shop's handle (default: big-<platform>).")
        parser.add_argument("--products", type=int, default=10000)
        parser.add_argument("--variants", type=int, default=5)
        parser.add_argument("--rate-limits", action="store_true", help="Keep the platform's rate limits on.")

    def handle(self, *args, platform, handle, products, variants, rate_limits, **options):
        shop = make_shop(
            platform, handle or f"big-{platform}", products, variants, rate_limits_off=not rate_limits
        )
        self.stdout.write(
            f"{shop.get_platform_display()} shop {shop.handle}: {shop.products.count()} products, "
            f"{products * variants} variants added; rate limits {'on' if rate_limits else 'off'}."
        )
