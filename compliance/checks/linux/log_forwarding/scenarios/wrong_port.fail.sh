sed -i 's/port="{{ policy.audit.central_log_port }}"/port="514"/' /etc/rsyslog.d/50-dengbao-forward.conf
