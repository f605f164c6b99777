systemctl disable -q --now lsyncd
rm /etc/cron.d/dengbao-offsite
