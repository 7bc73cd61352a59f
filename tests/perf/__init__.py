"""The benchmark harness behind `make bench`: see docs/performance.md."""
