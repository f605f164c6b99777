useradd -M -s /usr/sbin/nologin kiosk && passwd -qd kiosk
