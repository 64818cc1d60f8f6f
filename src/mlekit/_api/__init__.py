"""L6: what the public mk.* functions are."""
