"""The co-op workbench: the job board, stock, the shared store, usage and webhook deliveries.

One module per section (`jobs`, `stock`, `store`, `report`, `deliveries`), the
access checks they share in `common`, the forms in `forms`. Views only read
through the apps' selectors and write through their services; whether a move is
allowed is always the service's answer, shown to the user as it gave it.
"""
