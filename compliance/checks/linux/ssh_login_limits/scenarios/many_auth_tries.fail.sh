echo 'MaxAuthTries {{ policy.ssh.max_auth_tries + 6 }}' > /etc/ssh/sshd_config.d/10-scenario-tries.conf
