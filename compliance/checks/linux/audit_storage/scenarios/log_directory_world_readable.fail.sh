chmod 0755 /var/log/audit
