# The repository check found damaged packs in a server's repository (restic check exit 1).
sed -i 's/"succeeded": true/"succeeded": false/; s/"exit": 0/"exit": 1/' /var/lib/dengbao/backup-server/check/his-db-01.json
