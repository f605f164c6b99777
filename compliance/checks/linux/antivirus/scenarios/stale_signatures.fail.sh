touch -d '{{ policy.antivirus.signature_max_age_days + 3 }} days ago' /var/lib/clamav/*.cvd
