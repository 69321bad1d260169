"""What analysts take away from a catalog: exports (``analysis.export``: parquet, CSV,
JSON lines) and the HTML report (``analysis.overview.build_overview`` and
``analysis.html.render_html``). Nothing is imported here, so the CLI starts fast."""
