from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community fund"

    def ready(self) -> None:
        # Orders sits below the fund: it announces each settled sale's share inside the
        # transaction that settles it, and the fund writes its credit in that same transaction.
        from community.services.fund import on_share_settled
        from orders.payments.fund import share_settled

        share_settled.connect(on_share_settled, dispatch_uid="community-credit-settled-share")
