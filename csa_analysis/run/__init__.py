"""Running it: the scoring pipeline, the board pack, report kernels, atomic output."""
