import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

OUR_APPS = ["producers", "catalog", "orders"]


def our_models():
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_model_is_in_the_back_office(model):
    assert admin.site.is_registered(model)


@pytest.mark.django_db
@pytest.mark.parametrize("model", our_models(), ids=lambda m: m._meta.label)
def test_every_back_office_list_opens(client, model):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    response = client.get(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    )

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["stockbalance", "stockmovement", "productimage"])
def test_rows_kept_by_the_stock_and_image_services_cannot_be_added_in_the_back_office(
    client, model
):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))

    response = client.get(reverse(f"admin:catalog_{model}_add"))

    assert response.status_code == 403
