"""Dagster assets and checks: ingest → dbt → gate → reports → BI publication."""
