# The scan runs, but not on the policy's schedule: once a month instead.
sed -i 's/^OnCalendar=.*/OnCalendar=monthly/' /etc/systemd/system/dengbao-antivirus-scan.timer
systemctl daemon-reload
systemctl restart dengbao-antivirus-scan.timer
