"""The search service: the read side of the directory.

Consumes therapist and approach events into its own read model (MongoDB), keeps an in-process
tantivy index of it current on every replica, and answers searches, approach pages and
"Find Your Match" questionnaires.
"""
