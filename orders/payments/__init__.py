"""Card payments through Stripe: checkout, webhooks, refunds, payouts, the community fund.

Money is Decimal everywhere here; integer cents exist only in the parameters
sent to Stripe and in what is read back from it. Stripe is never called inside
a transaction that holds our row locks: a service writes what it intends in
one short transaction, calls Stripe, then records the outcome in another.

This package imports nothing: callers import from its modules (`checkout`,
`events`, `refunds`, `payouts`, `reports`), which sit at different layers.
"""
