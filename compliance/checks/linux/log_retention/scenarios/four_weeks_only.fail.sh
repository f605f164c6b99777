sed -i -E 's/^(\s*)rotate [0-9]+/\1rotate 4/' /etc/logrotate.d/rsyslog
