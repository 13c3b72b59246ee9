"""Reads: querysets and evaluated batches for pages, tasks and the API. Nothing here writes."""
