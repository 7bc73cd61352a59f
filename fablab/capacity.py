"""What routing asks the Fab Lab: who can do the work, and whether the machine time exists.

Read once per order (a fixed number of queries, whatever the number of co-ops), then
answered from memory for every candidate co-op and line. Nothing is booked here: the
machine time routing counts on is only planned, so two lines of one order do not both
count on the same free hours.
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from fablab.hours import minutes
from fablab.models import Machine
from fablab.selectors import certified_capabilities, free_windows, machines_with_time
from producers.models import Producer


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the network's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


class Capacity:
    def __init__(self, *, producer_ids, capability_ids, until: datetime.date) -> None:
        capability_ids = set(capability_ids)
        self.certified = certified_capabilities(producer_ids) if capability_ids else {}
        self.machines: list[Machine] = (
            machines_with_time(capability_ids, until=end_of_day(until)) if capability_ids else []
        )
        self.now = timezone.now()
        self._free: dict[tuple[int, datetime.date], int] = {}
        self.planned: dict[int, int] = defaultdict(int)

    def uncertified(self, producer: Producer, capabilities) -> list:
        """The capabilities nobody at `producer` holds a current certification for."""
        held = self.certified.get(producer.pk, set())
        return [c for c in capabilities if c.pk not in held]

    def usable(self, producer: Producer, capability_id: int) -> list[Machine]:
        """Machines giving the capability that the co-op may book: the Fab Lab's and its own."""
        return [
            m
            for m in self.machines
            if m.capability_id == capability_id
            and (m.keeper.kind == Producer.Kind.FABLAB or m.keeper_id == producer.pk)
        ]

    def free_minutes(self, producer: Producer, capability_id: int, due: datetime.date) -> int:
        """Machine minutes the co-op could still book for the capability before `due` ends,
        less what earlier lines of this order planned on the same machines."""
        return sum(
            max(self._machine_free(m, due) - self.planned[m.pk], 0)
            for m in self.usable(producer, capability_id)
        )

    def plan(self, producer: Producer, capability_id: int, due: datetime.date, need: int) -> None:
        """Count `need` minutes as taken, from the machines with the most time left first."""
        for machine in sorted(
            self.usable(producer, capability_id),
            key=lambda m: -(self._machine_free(m, due) - self.planned[m.pk]),
        ):
            take = min(need, max(self._machine_free(machine, due) - self.planned[machine.pk], 0))
            self.planned[machine.pk] += take
            need -= take
            if need <= 0:
                return

    def _machine_free(self, machine: Machine, due: datetime.date) -> int:
        key = (machine.pk, due)
        if key not in self._free:
            self._free[key] = minutes(free_windows(machine, self.now, end_of_day(due)))
        return self._free[key]
