"""ReformWatch: the Dagster code location and the Python it runs."""
