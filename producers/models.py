import base64
import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# After a rotation the previous secret still signs deliveries for this long, so a
# co-op can switch its receiver over without missing a message.
WEBHOOK_SECRET_GRACE = datetime.timedelta(hours=24)


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def producer_logo_path(producer: "Producer", filename: str) -> str:
    return f"producers/{producer.pk}/{filename}"


class Capability(models.Model):
    """Something a producer can make things with: laser cutting, sewing, ..."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=240, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.name


class ProducerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Producer.Status.ACTIVE)


class Producer(models.Model):
    """A member co-op, or the Fab Lab that keeps the shared materials store."""

    class Kind(models.TextChoices):
        COOP = "coop", "Member co-op"
        FABLAB = "fablab", "Fab Lab"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COOP)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=240, blank=True, help_text="Public address.")
    # Where and when residents collect their orders; shown on product pages and in emails.
    pickup_address = models.CharField(
        max_length=240, blank=True, help_text="Where residents collect orders, if not the address."
    )
    opening_hours = models.CharField(
        max_length=240, blank=True, help_text="When residents may collect, e.g. Tue–Sat 10 am–6 pm."
    )
    public_phone = models.CharField(
        max_length=40, blank=True, help_text="A number residents may call about their pickup."
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # Contact details for the network (members and staff), not for the public.
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="producers")
    max_open_jobs = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    stripe_account_id = models.CharField(max_length=64, blank=True)
    # What Stripe last said about the connected account: None for an account entered
    # before onboarding from the workbench (taken as ready), False while Stripe still
    # needs the co-op's details, True once payouts are enabled.
    stripe_payouts_enabled = models.BooleanField(null=True, blank=True, editable=False)
    webhook_url = models.URLField(max_length=500, blank=True)
    # Write-only: never serialised except in the one rotation response.
    webhook_secret = models.CharField(max_length=80, default=new_webhook_secret, editable=False)
    # Kept for a while after a rotation so that deliveries carry both signatures
    # and the co-op can switch over without missing a message.
    webhook_secret_previous = models.CharField(max_length=80, blank=True, editable=False)
    webhook_secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when deliveries kept failing for days; setting a new webhook URL clears it.
    webhook_disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A small WebP re-encoded from the upload (see `catalog.services.logos`), never the upload.
    logo = models.ImageField(upload_to=producer_logo_path, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProducerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["coop", "fablab"]), name="producer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "paused"]), name="producer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_open_jobs__gte=1), name="producer_max_open_jobs_positive"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="producer_location_valid",
            ),
            # The network has one Fab Lab: its store is the shared store.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="fablab"), name="producer_one_fablab"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def payouts_ready(self) -> bool:
        """A connected Stripe account that may receive transfers."""
        return bool(self.stripe_account_id) and self.stripe_payouts_enabled is not False

    @property
    def is_fablab(self) -> bool:
        return self.kind == self.Kind.FABLAB

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def pickup_place(self) -> str:
        """Where residents collect: the pickup address, else the public address."""
        return self.pickup_address or self.address

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Membership(models.Model):
    """A person's place in a producer. Fab Lab staff are members of the Fab Lab."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["producer__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "producer"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["member", "manager"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.producer} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


INVITATION_LIFETIME = datetime.timedelta(days=7)


class Invitation(models.Model):
    """An offer, sent by email, to join a producer in a role. The link's token is shown
    once, in the email; only its SHA-256 digest is kept. It works once, until it expires
    or a manager revokes it."""

    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["member", "manager"]), name="invitation_role_valid"
            ),
            # Accepted or revoked, never both.
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.producer} ({self.role})"

    @property
    def is_pending(self) -> bool:
        """Neither used nor revoked; it may still have expired."""
        return self.accepted_at is None and self.revoked_at is None


class ApiToken(models.Model):
    """A key for the API. Only a digest of the key is stored: the key itself is shown once,
    when it is made. A token ends at `expires_at`, when revoked (deleted), or when its
    owner's password changes (`password_mark` no longer matches)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    # The key's first characters, so its owner can tell tokens apart without the secret.
    prefix = models.CharField(max_length=8)
    password_mark = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} — {self.prefix}…"


class EmailVerification(models.Model):
    """An account's email that its owner proved they read: they opened a link sent to it,
    or accepted an invitation sent to it. It counts only while the account still has this
    email, so changing the email needs a new proof. One account proves one address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_verification"
    )
    email = models.EmailField(unique=True, help_text="Lower-cased, as it was proven.")
    verified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(email=models.functions.Lower("email")),
                name="email_verification_lower_case",
            ),
        ]

    def __str__(self) -> str:
        return self.email
