from django.core.management.base import BaseCommand
from django.db import transaction

from producers.demo import DEMO_LOGINS, seed_accounts, seed_producers


class Command(BaseCommand):
    help = "Load the demo network (Fab Lab, co-ops, accounts). Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            self.stdout.write("Demo network: accounts…")
            users = seed_accounts()
            self.stdout.write("Demo network: the Fab Lab and the co-ops…")
            producers = seed_producers(users)
        self.stdout.write(self.style.SUCCESS(f"Demo network ready: {len(producers)} producers."))
        self.stdout.write("\nDemo logins (development only):")
        for who, username, password in DEMO_LOGINS:
            self.stdout.write(f"  {who:<40} {username} / {password}")
