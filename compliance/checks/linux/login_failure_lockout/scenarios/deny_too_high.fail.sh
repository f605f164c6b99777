sed -i -E 's/^deny.*/deny = {{ policy.accounts.lockout_deny + 5 }}/' /etc/security/faillock.conf
