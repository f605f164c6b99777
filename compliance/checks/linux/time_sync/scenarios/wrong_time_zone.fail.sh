ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime
