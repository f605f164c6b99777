# Backups run, but nobody ever restored one: no restore test is on record.
rm -f /var/lib/dengbao/backup/last-restore-test.json /var/lib/dengbao/backup/restore-tests/*
