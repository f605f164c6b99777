sed -i -E 's/^minlen.*/minlen = {{ policy.accounts.password_min_length - 1 }}/' /etc/security/pwquality.conf
