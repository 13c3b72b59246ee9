"""Tools beside the domain: the demo loader, the national synthetic data set, the benchmark."""
