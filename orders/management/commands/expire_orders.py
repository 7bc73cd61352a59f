from django.core.management.base import BaseCommand

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
            help="Also keep a background task running that does this every minute.",
        )

    def handle(self, *args, schedule: bool = False, **options):
        expired = orders_expire()
        self.stdout.write(f"{expired} unpaid order(s) expired.")
        if schedule:
            from orders.tasks import schedule_expiry

            started = schedule_expiry()
            self.stdout.write(
                "Expiry runs every minute in the task worker."
                if started
                else "Expiry was already scheduled in the task worker."
            )
