from backend.errors import DomainError


class LastManager(DomainError):
    code = "last_manager"
    default_detail = "A co-op must keep at least one manager."


class AlreadyMember(DomainError):
    code = "already_member"
    default_detail = "That person is already a member of this producer."


class EmailInUse(DomainError):
    code = "email_in_use"
    default_detail = "This email cannot be used for a new account. If it is yours, sign in with it."


class EmailVerifiedElsewhere(DomainError):
    code = "email_verified_elsewhere"
    default_detail = "Another account has already confirmed this email."


class VerificationLinkInvalid(DomainError):
    code = "verification_link_invalid"
    default_detail = "This link to confirm an email is not valid."


class VerificationLinkExpired(VerificationLinkInvalid):
    code = "verification_link_expired"
    default_detail = "This link to confirm an email is too old."


class InvitationUnusable(DomainError):
    """The link cannot be used: `reason` is "unknown", "expired", "used" or "revoked"."""

    code = "invitation_unusable"
    default_detail = "This invitation link cannot be used."
    status_code = 410

    MESSAGES = {
        "unknown": "This invitation link is not one we sent: check that it was copied whole.",
        "expired": "This invitation has expired. Ask the co-op's managers for a new one.",
        "used": "This invitation has already been accepted. Each link works once.",
        "revoked": "The co-op's managers withdrew this invitation.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason], reason=reason)
        self.reason = reason


class InvitedEmailHasAccount(DomainError):
    code = "email_in_use"
    default_detail = (
        "An account with this email already exists: sign in to it to accept the invitation."
    )
