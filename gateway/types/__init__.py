"""The schema's types, each module small and next to the resolvers that produce its values.

Most output types are read straight from the services' JSON (dicts): field names are the JSON
keys, and the schema's default resolver reads mappings (see `common.read_field`).
"""
