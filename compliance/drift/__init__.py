"""`dengbao drift`: what differs from the declared state, where, since when, and which clauses it touches.

Two sources: the playbooks run in check mode with diff (`checkmode`, read from the dengbao_runs
callback's JSON, not scraped), and the latest scan compared with the one before it
(compliance.report.compare). `document` puts them together with the change ledger's last apply of
each drifted task and the clauses of the checks each role remediates.
"""
