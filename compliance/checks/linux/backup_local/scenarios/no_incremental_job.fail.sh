sed -i '/--newer-mtime/d' /etc/cron.d/dengbao-backup
