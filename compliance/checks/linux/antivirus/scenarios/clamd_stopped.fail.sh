# Signatures are current, but the daemon that scans with them is not running.
systemctl disable --now clamav-daemon
