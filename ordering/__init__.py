"""Ordering: orders between tiers, stock and its ledger, allocation, shipments and receipts."""
