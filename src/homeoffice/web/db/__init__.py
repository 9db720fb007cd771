"""Database backends of the web app (only what Django's own backends lack)."""
