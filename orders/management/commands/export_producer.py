"""`manage.py export_producer <slug>`: everything one co-op owns on the platform, as JSON.

What it holds, and what it leaves out, is described in `orders.exports`.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from orders.exports import export_producer
from producers.models import Producer


class Command(BaseCommand):
    help = (
        "Write one co-op's own data (record, members, products, stock, jobs, payouts) as "
        "JSON, without its webhook signing secrets."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The producer's slug.")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, output: str | None = None, **options):
        producer = Producer.objects.filter(slug=slug).first()
        if producer is None:
            raise CommandError(f"No producer has the slug {slug!r}.")
        text = json.dumps(export_producer(producer), cls=DjangoJSONEncoder, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Wrote {producer.name}'s data to {output}.")
        else:
            self.stdout.write(text)
