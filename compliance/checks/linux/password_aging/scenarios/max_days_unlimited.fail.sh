sed -i -E 's/^(PASS_MAX_DAYS\s+).*/\199999/' /etc/login.defs
