"""Reports: stock and sell-out reported by partners, channel inventory, targets, KPIs and scorecards."""
