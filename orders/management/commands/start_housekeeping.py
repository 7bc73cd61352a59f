from django.core.management.base import BaseCommand

from orders.housekeeping import housekeeping_start


class Command(BaseCommand):
    help = (
        "Start the every-minute housekeeping in the task worker: expire unpaid orders, "
        "re-queue webhooks, refunds, payouts and emails whose try is due or whose worker "
        "died, and send payouts owed to co-ops that have since connected Stripe. "
        "Does nothing when a run is already waiting."
    )

    def handle(self, *args, **options):
        if housekeeping_start():
            self.stdout.write("Housekeeping runs every minute in the task worker.")
        else:
            self.stdout.write(
                "Housekeeping was already waiting in the task worker "
                "(or the task backend cannot schedule it)."
            )
