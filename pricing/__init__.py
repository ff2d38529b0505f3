"""Configure, price, quote: the catalogue, price books, the promotion rules engine and quotes."""
