"""portaudit: find, prove and explain unprotected open ports in mobile apps."""

__version__ = "0.1.0"
