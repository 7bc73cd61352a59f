from backend.errors import DomainError


class FundTooLow(DomainError):
    code = "fund_too_low"
    default_detail = "The community fund does not hold that much."
