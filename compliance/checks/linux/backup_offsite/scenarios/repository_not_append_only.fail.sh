# The backup host's forced command lost --append-only: the restore test's forget of the canary went through.
sed -i 's/"refused": true/"refused": false/; s/"forget_exit": 1/"forget_exit": 0/' /var/lib/dengbao/backup/last-restore-test.json
