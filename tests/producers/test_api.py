import pytest
from standardwebhooks import Webhook

from producers.models import Membership, Producer
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_FIELDS = {"contact_email", "contact_phone", "stripe_account_id", "webhook_url"}


def producer_url(producer, suffix=""):
    return f"/api/v1/producers/{producer.slug}/{suffix}"


def test_anonymous_list_shows_public_fields_only(api, coop):
    response = api.get("/api/v1/producers/")

    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["slug"] == coop.slug
    assert not PRIVATE_FIELDS & item.keys()


def test_anonymous_detail_hides_contact_and_webhook_settings(api, coop):
    response = api.get(producer_url(coop))

    assert response.status_code == 200
    assert not PRIVATE_FIELDS & response.json().keys()
    assert coop.contact_email not in response.content.decode()


def test_member_reads_own_producers_private_fields(api, coop, coop_member):
    response = api.as_user(coop_member).get(producer_url(coop))

    assert response.json()["contact_email"] == coop.contact_email


def test_member_of_another_coop_sees_only_public_fields(api, coop, other_manager):
    response = api.as_user(other_manager).get(producer_url(coop))

    assert not PRIVATE_FIELDS & response.json().keys()


def test_no_response_contains_the_webhook_secret(api, coop, coop_manager, staff):
    bodies = [
        api.as_user(coop_manager).get(producer_url(coop)).content,
        api.as_user(coop_manager).get("/api/v1/producers/").content,
        api.as_user(staff).get(producer_url(coop)).content,
        api.as_user(coop_manager).patch(producer_url(coop), {"description": "x"}).content,
    ]

    for body in bodies:
        assert coop.webhook_secret.encode() not in body
        assert b'webhook_secret"' not in body


def test_list_filters_by_capability(api):
    woodshop = ProducerFactory(capabilities=["woodworking"])
    ProducerFactory(capabilities=["sewing"])

    response = api.get("/api/v1/producers/?capability=woodworking")

    assert [p["slug"] for p in response.json()["results"]] == [woodshop.slug]


def test_list_runs_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(5):
        ProducerFactory(capabilities=["woodworking", "sewing"])

    with django_assert_max_num_queries(3):
        api.get("/api/v1/producers/")


def test_manager_updates_own_producer(api, coop, coop_manager):
    response = api.as_user(coop_manager).patch(
        producer_url(coop),
        {"description": "Benches and shelves.", "capabilities": ["woodworking"]},
        format="json",
    )

    assert response.status_code == 200
    coop.refresh_from_db()
    assert coop.description == "Benches and shelves."
    assert list(coop.capabilities.values_list("slug", flat=True)) == ["woodworking"]


def test_plain_member_cannot_update_producer(api, coop, coop_member):
    response = api.as_user(coop_member).patch(producer_url(coop), {"description": "mine now"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    coop.refresh_from_db()
    assert coop.description != "mine now"


def test_manager_of_another_coop_cannot_update_producer(api, coop, other_manager):
    response = api.as_user(other_manager).patch(producer_url(coop), {"name": "Taken"})

    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.name != "Taken"


def test_anonymous_update_is_refused_as_unauthenticated(api, coop):
    response = api.patch(producer_url(coop), {"name": "Taken"})

    assert response.status_code == 401


def test_manager_cannot_set_payout_account_or_kind(api, coop, coop_manager):
    response = api.as_user(coop_manager).patch(
        producer_url(coop), {"stripe_account_id": "acct_thief", "kind": "fablab"}, format="json"
    )

    assert response.status_code == 200
    coop.refresh_from_db()
    assert coop.stripe_account_id == ""
    assert coop.kind == Producer.Kind.COOP


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capabilities": ["teleportation"]}, "capabilities"),
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"webhook_url": "ftp://example.org/hook"}, "webhook_url"),
        ({"name": "x" * 121}, "name"),
        ({"max_open_jobs": 0}, "max_open_jobs"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"latitude": "32.3"}, "longitude"),
        ({"status": "closed"}, "status"),
    ],
)
def test_bad_input_answers_400_with_field_errors(api, coop, coop_manager, body, field):
    response = api.as_user(coop_manager).patch(producer_url(coop), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["errors"]


def test_staff_creates_a_producer(api, staff):
    response = api.as_user(staff).post(
        "/api/v1/producers/",
        {
            "name": "Northside Bike Co-op",
            "slug": "northside-bikes",
            "capabilities": ["electronics"],
        },
        format="json",
    )

    assert response.status_code == 201
    assert Producer.objects.get(slug="northside-bikes").capabilities.get().slug == "electronics"


def test_manager_cannot_create_a_producer(api, coop_manager):
    response = api.as_user(coop_manager).post(
        "/api/v1/producers/", {"name": "Mine", "slug": "mine"}, format="json"
    )

    assert response.status_code == 403
    assert not Producer.objects.filter(slug="mine").exists()


def test_creating_a_second_fablab_is_refused(api, staff, fablab):
    response = api.as_user(staff).post(
        "/api/v1/producers/", {"name": "Lab 2", "slug": "lab-2", "kind": "fablab"}, format="json"
    )

    assert response.status_code == 400
    assert Producer.objects.filter(kind="fablab").count() == 1


def test_rotation_returns_a_new_secret_once(api, coop, coop_manager):
    old = coop.webhook_secret

    response = api.as_user(coop_manager).post(producer_url(coop, "rotate-webhook-secret/"))

    assert response.status_code == 200
    new = response.json()["webhook_secret"]
    coop.refresh_from_db()
    assert new != old
    assert coop.webhook_secret == new
    assert coop.webhook_secret_previous == old
    Webhook(new)  # a valid Standard Webhooks secret


def test_member_cannot_rotate_the_secret(api, coop, coop_member):
    old = coop.webhook_secret

    response = api.as_user(coop_member).post(producer_url(coop, "rotate-webhook-secret/"))

    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.webhook_secret == old


def test_members_list_is_for_members_only(api, coop, coop_member, other_manager):
    assert api.get(producer_url(coop, "members/")).status_code == 401
    assert api.as_user(other_manager).get(producer_url(coop, "members/")).status_code == 403
    response = api.as_user(coop_member).get(producer_url(coop, "members/"))
    assert [m["user"]["username"] for m in response.json()] == [coop_member.username]


def test_manager_adds_a_member(api, coop, coop_manager):
    newcomer = UserFactory(username="newcomer")

    response = api.as_user(coop_manager).post(
        producer_url(coop, "members/"), {"username": "newcomer"}, format="json"
    )

    assert response.status_code == 201
    assert Membership.objects.get(producer=coop, user=newcomer).role == "member"


def test_adding_an_unknown_username_is_a_field_error(api, coop, coop_manager):
    response = api.as_user(coop_manager).post(
        producer_url(coop, "members/"), {"username": "nobody"}, format="json"
    )

    assert response.status_code == 400
    assert "username" in response.json()["errors"]


def test_adding_an_existing_member_is_a_conflict(api, coop, coop_manager, coop_member):
    response = api.as_user(coop_manager).post(
        producer_url(coop, "members/"), {"username": coop_member.username}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_member"


def test_plain_member_cannot_add_members(api, coop, coop_member):
    UserFactory(username="friend")

    response = api.as_user(coop_member).post(
        producer_url(coop, "members/"), {"username": "friend"}, format="json"
    )

    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="friend").exists()


def test_manager_of_another_coop_cannot_remove_members(api, coop, coop_member, other_manager):
    membership = Membership.objects.get(user=coop_member)

    response = api.as_user(other_manager).delete(producer_url(coop, f"members/{membership.pk}/"))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_membership_of_another_producer_is_not_found_through_this_one(
    api, coop, coop_manager, other_coop
):
    stranger = MembershipFactory(producer=other_coop)

    response = api.as_user(coop_manager).delete(producer_url(coop, f"members/{stranger.pk}/"))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=stranger.pk).exists()


def test_manager_removes_a_member(api, coop, coop_manager, coop_member):
    membership = Membership.objects.get(user=coop_member)

    response = api.as_user(coop_manager).delete(producer_url(coop, f"members/{membership.pk}/"))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_manager_cannot_step_down(api, coop, coop_manager):
    membership = Membership.objects.get(user=coop_manager)

    response = api.as_user(coop_manager).patch(
        producer_url(coop, f"members/{membership.pk}/"), {"role": "member"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "last_manager"
    membership.refresh_from_db()
    assert membership.role == "manager"


def test_me_lists_memberships(api, coop, coop_manager):
    response = api.as_user(coop_manager).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {"producer": {"slug": coop.slug, "name": coop.name, "kind": "coop"}, "role": "manager"}
    ]


def test_me_needs_sign_in(api):
    assert api.get("/api/v1/me/").status_code == 401


def test_token_is_issued_for_good_credentials_and_works(api):
    UserFactory(username="keisha")

    response = api.post(
        "/api/v1/auth/token/", {"username": "keisha", "password": "pass-word-123"}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "keisha"


def test_token_failure_does_not_reveal_whether_the_account_exists(api):
    UserFactory(username="keisha")

    wrong_password = api.post(
        "/api/v1/auth/token/", {"username": "keisha", "password": "nope"}, format="json"
    )
    no_account = api.post(
        "/api/v1/auth/token/", {"username": "nobody", "password": "nope"}, format="json"
    )

    assert wrong_password.status_code == no_account.status_code == 400
    assert wrong_password.json() == no_account.json()


def test_capabilities_are_listed_for_clients(api):
    response = api.get("/api/v1/capabilities/")

    assert "laser_cutting" in [c["slug"] for c in response.json()]
