"""The daily inspection (巡检): is every server healthy today?

A compliance scan answers "is it configured right"; the inspection answers "is it running well this
morning": load, memory, disks, the services its roles installed, errors in its logs, the last backup
and restore test, anti-malware signatures and the last scan, pending security updates, its clock and,
on database hosts, the PostgreSQL server. Each item of each host is green, amber or red against
`policies/inspection.yml` (and the backup, antivirus, patching and time policies where they already
set the limit), and every run is sealed like a scan run: the operation record of the day.

    collect (one script per host, compliance.kinds.linux) → HostFacts → items → run → reports
"""
