"""Invented demo data loaded by the run command through the public APIs: approaches and therapists."""
