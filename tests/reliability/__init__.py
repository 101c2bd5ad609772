"""Fault tests: the system as real processes under crashes and dependency outages."""
