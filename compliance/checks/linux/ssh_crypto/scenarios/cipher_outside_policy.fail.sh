echo 'Ciphers aes256-ctr,aes128-ctr' > /etc/ssh/sshd_config.d/10-scenario-ciphers.conf
