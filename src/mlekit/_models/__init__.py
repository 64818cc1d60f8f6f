"""L5: user likelihoods and structured models."""
