"""Documents the portal hands out as PDF, rendered with WeasyPrint in a worker process."""
