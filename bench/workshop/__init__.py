"""The pieces of bench/load_workshop.py: server memory, one simulated user, its page steps, the report."""
