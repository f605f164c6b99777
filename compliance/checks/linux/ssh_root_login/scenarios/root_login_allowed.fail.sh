echo 'PermitRootLogin yes' > /etc/ssh/sshd_config.d/10-scenario-root.conf
