"""The declarative model: inventories (systems, zones, hosts) and policies, loaded and validated."""
