"""What analysts take away from a catalog: exports (parquet, CSV, JSON lines) and the HTML
report."""
