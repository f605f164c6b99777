# Level 3 wants the off-site copy (near) real-time; a nightly copy is not.
sed -i 's|^\*/5 \* \* \* \*|0 3 * * *|' /etc/cron.d/dengbao-offsite
