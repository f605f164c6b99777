"""The results model: verdicts, outcomes, check and item results, runs (defined once, read by every layer above)."""
