from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.budgeting import seed_budgeting
from demo.bulk import seed_bulk_products
from demo.catalog import seed_products
from demo.designs import seed_designs
from demo.fablab import seed_fablab
from demo.fund import seed_fund
from demo.network import DEMO_LOGINS, seed_accounts, seed_more_co_ops, seed_producers
from demo.options import seed_options
from demo.orders import seed_orders
from demo.pickup import seed_pickup_points
from demo.store import seed_offcuts, seed_stock

# A benchmark catalog is spread over this many producers.
BULK_PRODUCERS = 21  # the Fab Lab and 20 co-ops


class Command(BaseCommand):
    help = (
        "Load the demo network: the Fab Lab, the co-ops, accounts, the shared store and the "
        "catalog. Safe to run again: what exists is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            help="Grow the catalog to this many products with bulk inserts (for benchmarks).",
        )
        parser.add_argument(
            "--no-images",
            action="store_true",
            help="Skip drawing the demo catalog's pictures (faster).",
        )

    def handle(self, *args, products: int = 0, no_images: bool = False, **options):
        if settings.DJANGO_ENV == "production":
            # It creates accounts with published passwords, `admin` among them.
            raise CommandError(
                "seed_demo refuses to run under the production profile (DJANGO_ENV=production): "
                "it creates demo accounts with known passwords, including an administrator."
            )
        with transaction.atomic():
            self.stdout.write("Demo network: accounts…")
            users = seed_accounts()
            self.stdout.write("Demo network: the Fab Lab and the co-ops…")
            producers = seed_producers(users)
            seed_pickup_points(producers)
            self.stdout.write("Demo network: materials and the shared store's ledger…")
            movements = seed_stock(by=users["technician"])
            self.stdout.write("Demo network: the Fab Lab's machines, certified people, bookings…")
            seed_fablab(users, producers)
        self.stdout.write("Demo network: the catalog, with drawings of each product…")
        created = seed_products(
            by=users["technician"], with_images=not no_images, progress=self._progress
        )
        self._end_progress()
        self.stdout.write("Demo network: the T-shirt's sizes and the tote's embroidered name…")
        seed_options(by=users["technician"])
        self.stdout.write("Demo network: the open designs' cut files and licences…")
        seed_designs(by=users["technician"])
        self.stdout.write("Demo network: offcuts on the racks…")
        with transaction.atomic():
            seed_offcuts(by=users["technician"])
        self.stdout.write("Demo network: a few orders in different states…")
        orders = seed_orders(
            resident=users["resident"],
            co_op_people={
                "fab-lab": users["technician"],
                "west-jackson-woodshop": users["woodshop"],
                "capitol-sign-and-print": users["printer"],
                "common-thread-sewing": users["sewing"],
                "freedom-farms": users["grower"],
            },
        )
        self.stdout.write("Demo network: the community fund and what it paid for…")
        with transaction.atomic():
            seed_fund(by=users["admin"])
        self.stdout.write("Demo network: a budgeting round in its vote…")
        seed_budgeting(users)
        bulk = 0
        if products:
            self.stdout.write(f"Bulk catalog: the network grows to {BULK_PRODUCERS} producers…")
            seed_more_co_ops(BULK_PRODUCERS)
            self.stdout.write(f"Bulk catalog: growing to {products:,} products…")
            bulk = seed_bulk_products(products, by=users["technician"], progress=self._progress)
            self._end_progress()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(producers)} producers, {movements} new stock "
                f"movements, {created + bulk} new products, {orders} new orders."
            )
        )
        self.stdout.write("\nDemo logins (development only):")
        for who, username, password in DEMO_LOGINS:
            self.stdout.write(f"  {who:<40} {username} / {password}")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        end = "\r" if self.stdout.isatty() else "\n"
        if end == "\n" and done not in (total,) and done % max(total // 10, 1):
            return  # not a terminal: a line every tenth is enough
        self.stdout.write(f"  [{bar}] {done:,}/{total:,}", ending=end)
        self._progressed = True

    def _end_progress(self) -> None:
        if getattr(self, "_progressed", False) and self.stdout.isatty():
            self.stdout.write("")
        self._progressed = False
