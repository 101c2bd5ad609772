"""The GraphQL gateway: one public schema over the profiles, approaches and search services.

Web and mobile apps speak GraphQL to this process only. It resolves through the services' REST
APIs with per-request DataLoaders, caches what it reads (and whole anonymous responses),
invalidates both on the services' change events, and protects itself with depth, token,
alias and body limits.
"""
