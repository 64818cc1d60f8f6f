"""L1: observations (Data, blocks, sources)."""
