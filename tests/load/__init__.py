"""Load tests against the system as the run command starts it (marked bench)."""
