"""Network devices on the enforcing side: the intended configuration each device should run."""
