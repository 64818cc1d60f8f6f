"""L5: the same family fit at scale (grouped, streamed, Dask)."""
