"""L3: inference kernels over a fitted model (no estimator imports)."""
