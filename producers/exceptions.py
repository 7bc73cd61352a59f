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
