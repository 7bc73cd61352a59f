"""Ledgers: rows written once, never edited nor deleted, one at a time or in bulk.

Stock movements, counter payments, the community fund's entries and its
disbursements are records of what happened; a correction is a new row.
"""

from django.db import models


def _name(model) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{_name(self.model)} are never edited.")

    def delete(self):
        raise TypeError(f"{_name(self.model)} are never deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{_name(type(self))} are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{_name(type(self))} are never deleted.")
