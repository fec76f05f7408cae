"""ReformWatch: the Dagster code location and the Python it runs."""

import warnings

# pandera probes `pyspark.pandas` when it is imported. With the Spark extras installed
# (`make setup-spark`), that probe made every process (`reformwatch --help` included) print
# pandas-on-Spark's FutureWarning about pandas 3, although nothing here uses pandas-on-Spark.
# This one warning is silenced, in the package every entry point imports first.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
