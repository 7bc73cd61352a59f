"""Publish the results of every round whose voting has ended: run it from cron (or by hand),
so results come out even when no one presses the button."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from community.budgeting_models import Round
from community.services.budgeting import round_results_publish


class Command(BaseCommand):
    help = "Publish the results of every budgeting round whose voting has ended."

    def handle(self, *args, **options):
        due = Round.objects.filter(results_published_at=None, voting_close_at__lte=timezone.now())
        for round_ in due.order_by("pk"):
            round_results_publish(round_=round_, by=None)
            self.stdout.write(f"Published the results of {round_.title} ({round_.pk}).")
