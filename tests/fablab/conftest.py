import pytest

from orders.services import job_accept
from producers.models import Membership
from tests.factories import (
    CapabilityFactory,
    MembershipFactory,
    ProducerFactory,
    UserFactory,
    make_stocked_product,
    place,
)


@pytest.fixture
def laser():
    return CapabilityFactory(slug="laser_cutting", name="Laser cutting")


@pytest.fixture
def cutshop(laser):
    """A laser-cutting co-op in which nobody is certified yet."""
    return ProducerFactory(name="Woodshop", slug="cutshop", capabilities=[laser], certified=False)


@pytest.fixture
def maker(cutshop):
    """A member of the co-op, not certified for anything."""
    return MembershipFactory(
        producer=cutshop, role=Membership.Role.MANAGER, user=UserFactory(username="maker")
    ).user


@pytest.fixture
def laser_sign(cutshop, laser):
    return make_stocked_product(
        producer=cutshop, title="Laser-cut house sign", required_capabilities=[laser]
    )


@pytest.fixture
def accepted_job(laser_sign, maker):
    """A job for the sign, routed to the co-op and accepted: next comes starting it."""
    job = place((laser_sign, 1)).jobs.get()
    return job_accept(job=job, by=maker)
