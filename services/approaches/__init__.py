"""The approaches service: the catalogue of therapy approaches behind every approach page.

Owns each approach's slug (old slugs keep resolving after a rename), its plain-language
content, the issues it suits and its related approaches; publishes created/updated/deleted
events, and counts the therapists who reference each approach so that a referenced approach
cannot be deleted.
"""
