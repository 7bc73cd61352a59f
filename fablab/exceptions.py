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
