"""Running the whole directory on one machine: embedded database, services, gateway, demo data."""
