"""The lab: real Debian 12 hosts under systemd-nspawn, on a bridge of their own, for tests and demos."""
