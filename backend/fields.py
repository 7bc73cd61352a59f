"""Serializer fields shared by every app's API."""

import re

from django.db import models
from rest_framework import serializers

# What the published schema's pattern allows: ASCII digits, one optional point, an
# optional leading minus. Python's Decimal also reads "1_000", " 1 ", "1e3" and other
# scripts' digits; a client following the schema never sends those, so they are refused.
PLAIN_DECIMAL = re.compile(r"-?[0-9]*(?:\.[0-9]*)?")


class StrictDecimalField(serializers.DecimalField):
    """A DecimalField that takes only plain decimal text (or a JSON number)."""

    default_error_messages = {"invalid": "Write a plain decimal number, such as 12.50."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        if not PLAIN_DECIMAL.fullmatch(str(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


# For a ModelSerializer with decimal model fields: `serializer_field_mapping = STRICT_MAPPING`.
STRICT_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.DecimalField: StrictDecimalField,
}
