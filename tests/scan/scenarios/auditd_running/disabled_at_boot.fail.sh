systemctl disable -q auditd
