"""Hospital infrastructure-as-code and GB/T 22239-2019 (等保 2.0) compliance."""

__version__ = "0.1.0"
