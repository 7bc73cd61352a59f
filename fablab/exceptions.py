from backend.errors import DomainError


class CertificationRequired(DomainError):
    """Nobody at the co-op holds a current certification for a capability the work needs."""

    code = "certification_required"
    default_detail = "This needs someone certified for it."


class BookingOverlaps(DomainError):
    code = "booking_overlaps"
    default_detail = "The machine is already booked for part of that time."


class OutsideOpeningHours(DomainError):
    code = "outside_opening_hours"
    default_detail = "The machine is not open for the whole of that time."


class MachineOutOfService(DomainError):
    code = "machine_out_of_service"
    default_detail = "The machine is out of service for part of that time."


class BookingNotAllowed(DomainError):
    """The person may not book for, move or cancel on behalf of this co-op."""

    code = "booking_not_allowed"
    status_code = 403
    default_detail = "You may not book machine time for this co-op."


class MachineNotBookable(DomainError):
    """A machine the co-op may not use (another co-op's own) or one taken out of use:
    as good as unknown to the one asking."""

    code = "machine_not_found"
    status_code = 404
    default_detail = "No machine by that name is open to your co-op."


class JobNotOpen(DomainError):
    code = "job_not_open"
    default_detail = "That job is finished or cancelled: book time on its own or for an open job."


class MachineKeepersOnly(DomainError):
    """Only a machine's keepers take it out of service or put it back."""

    code = "machine_keepers_only"
    status_code = 403
    default_detail = "Only the people who keep this machine take it out of service."
