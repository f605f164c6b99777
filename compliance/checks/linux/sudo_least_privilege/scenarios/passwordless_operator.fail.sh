echo '%operator ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/zz-scenario && chmod 0440 /etc/sudoers.d/zz-scenario
