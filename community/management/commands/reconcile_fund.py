from django.core.management.base import BaseCommand, CommandError

from community.selectors import fund_balance, fund_drift


class Command(BaseCommand):
    help = "Check the community fund's ledger against the sales and disbursements it records."

    def handle(self, *args, **options) -> None:
        self.stdout.write("Checking the community fund's ledger…")
        problems = fund_drift()
        for problem in problems:
            self.stderr.write(f"  {problem}")
        if problems:
            raise CommandError(f"The fund's ledger has drifted: {len(problems)} problem(s).")
        self.stdout.write(self.style.SUCCESS(f"The ledger agrees. Balance: ${fund_balance():,.2f}"))
