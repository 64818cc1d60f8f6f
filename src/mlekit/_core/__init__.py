"""L0: numerics and plumbing (numpy/scipy/errors only)."""
