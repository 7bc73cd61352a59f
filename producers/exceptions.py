from backend.errors import DomainError


class LastManager(DomainError):
    code = "last_manager"
    default_detail = "A co-op must keep at least one manager."


class AlreadyMember(DomainError):
    code = "already_member"
    default_detail = "That person is already a member of this producer."
