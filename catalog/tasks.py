from decimal import Decimal

from django.core.mail import send_mail
from django.tasks import task

from backend.money import format_quantity
from catalog.models import Material
from producers.models import Membership, Producer


@task(queue_name="email")
def send_low_stock_alert(*, material_id: int, available: str) -> int:
    """Email the Fab Lab's managers that a material fell below its reorder point."""
    material = Material.objects.get(pk=material_id)
    recipients = list(
        Membership.objects.filter(producer__kind=Producer.Kind.FABLAB, role=Membership.Role.MANAGER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"Low stock: {material.name}",
        message=(
            f"{material.name} ({material.sku}) is down to {format_quantity(Decimal(available))} "
            f"{material.unit} available in the shared store, below its reorder point of "
            f"{format_quantity(material.reorder_point)}.\n\n"
            "Time to reorder."
        ),
        from_email=None,
        recipient_list=recipients,
    )
