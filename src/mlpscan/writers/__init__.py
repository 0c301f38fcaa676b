"""Writers turn a Report into bytes; none of them re-evaluates anything."""

from mlpscan.writers.json import render_json
from mlpscan.writers.sarif import render_sarif
from mlpscan.writers.table import render_table

__all__ = ["render_json", "render_sarif", "render_table"]
