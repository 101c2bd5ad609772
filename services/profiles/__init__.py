"""The profiles service: therapists' own profiles, their public view and their events.

A therapist (or an admin) creates and edits a profile; the service validates it, keeps the
private parts (email, phone, unpublished licence numbers, private street addresses) to itself,
and announces every change with the public snapshot through the transactional outbox.
"""
