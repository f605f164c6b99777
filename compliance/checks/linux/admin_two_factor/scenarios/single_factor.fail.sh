echo 'AuthenticationMethods publickey' > /etc/ssh/sshd_config.d/10-scenario-factors.conf
