"""The demo network: accounts, the Fab Lab and its co-ops, the shared store, the catalog
and a few orders, loaded by `manage.py seed_demo`. Nothing in the production apps
imports it (an import-linter contract), and the command refuses to run in production."""
