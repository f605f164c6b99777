systemctl disable -q --now lsyncd; pkill -x lsyncd || true
rm /etc/cron.d/dengbao-offsite
