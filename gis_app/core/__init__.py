"""What every feature shares: validation, transactions, request and geometry helpers, time, forms, the base map.

Nothing in core imports a feature package; features import core (see ARCHITECTURE.md).
"""
