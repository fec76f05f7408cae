"""Data quality: the one Great Expectations runner (`ge_runner`) and the auditors' site (`site`)."""
