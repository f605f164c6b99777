# The timer is there, but no scheduled scan has ever finished.
rm -f /var/lib/dengbao/antivirus/last-scan
