"""The compliance scan: collect host state in one batch per host, evaluate the checks, map to catalog items."""
