touch -d '{{ policy.patching.security_update_max_age_days + 30 }} days ago' /var/lib/apt/lists/*Release
