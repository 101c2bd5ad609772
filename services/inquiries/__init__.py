"""The inquiries service: a private relay from a visitor to a therapist.

A visitor (no account) writes to a therapist; the service keeps what they wrote sealed (health
data: encrypted at rest, never in events, logs, metrics or traces), lets the therapist (or an
admin) read and mark it answered, forgets it after the retention period or once the therapist
is deleted, and announces only ids and times (`inquiry.received.v1`, `inquiry.answered.v1`).
"""
