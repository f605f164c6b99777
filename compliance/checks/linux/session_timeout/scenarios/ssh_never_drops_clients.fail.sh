echo 'ClientAliveCountMax 0' > /etc/ssh/sshd_config.d/10-scenario-alive.conf
