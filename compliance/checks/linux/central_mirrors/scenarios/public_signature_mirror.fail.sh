# freshclam also asks ClamAV's public mirrors, as Debian's package configures it: a host on the
# no-Internet networks either fails to update or reaches outside.
echo 'DatabaseMirror database.clamav.net' >> /etc/clamav/freshclam.conf
