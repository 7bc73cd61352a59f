from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.demo import seed_stock
from producers.demo import DEMO_LOGINS, seed_accounts, seed_producers


class Command(BaseCommand):
    help = "Load the demo network: the Fab Lab, the co-ops, accounts and the shared store."

    def handle(self, *args, **options):
        with transaction.atomic():
            self.stdout.write("Demo network: accounts…")
            users = seed_accounts()
            self.stdout.write("Demo network: the Fab Lab and the co-ops…")
            producers = seed_producers(users)
            self.stdout.write("Demo network: materials and the shared store's ledger…")
            movements = seed_stock(by=users["technician"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(producers)} producers, {movements} new stock movements."
            )
        )
        self.stdout.write("\nDemo logins (development only):")
        for who, username, password in DEMO_LOGINS:
            self.stdout.write(f"  {who:<40} {username} / {password}")
