"""What every service of the directory is built from.

Settings, the MongoDB connection, the CloudEvents envelope, the transactional outbox and its
relay, the event consumer with retries and dead-lettering, JWT verification, and the HTTP
plumbing (errors, health, readiness, metrics) that each service and the gateway share.
"""
