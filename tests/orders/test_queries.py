import pytest

from tests.factories import MembershipFactory, place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orders", [1, 5])
def test_a_customers_order_list_costs_the_same_queries_however_long(
    api, stool, tote, resident, orders, django_assert_max_num_queries
):
    for _ in range(orders):
        place((stool, 1), (tote, 1), customer=resident)

    with django_assert_max_num_queries(9):
        response = api.as_user(resident).get("/api/v1/orders/")

    assert response.json()["count"] == orders


@pytest.mark.parametrize("jobs", [1, 4])
def test_the_job_board_costs_the_same_queries_however_long(
    api, stool, woodshop, jobs, django_assert_max_num_queries
):
    member = MembershipFactory(producer=woodshop).user
    for _ in range(jobs):
        place((stool, 1))

    with django_assert_max_num_queries(10):
        response = api.as_user(member).get("/api/v1/jobs/")

    assert response.json()["count"] == jobs
