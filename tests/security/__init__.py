"""Bad input and security: fuzzing, token forgery, private data containment."""
