from django.core.management.base import BaseCommand

from orders.housekeeping import housekeeping_start
from orders.services import orders_expire


class Command(BaseCommand):
    help = (
        "Cancel unpaid orders whose payment time is up and give their reserved stock back. "
        "Safe to run often and from several machines: each order expires once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Deprecated: use `start_housekeeping`, which this then also runs.",
        )

    def handle(self, *args, schedule: bool = False, **options):
        expired = orders_expire()
        self.stdout.write(f"{expired} unpaid order(s) expired.")
        if schedule:
            self.stderr.write(
                "--schedule is deprecated: run `manage.py start_housekeeping` instead."
            )
            started = housekeeping_start()
            self.stdout.write(
                "Housekeeping runs every minute in the task worker."
                if started
                else "Housekeeping was already scheduled in the task worker."
            )
