"""L4: in-memory estimation of one family or model -> FitResult."""
