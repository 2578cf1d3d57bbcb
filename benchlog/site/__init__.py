"""The site: the MkDocs plugin, pages, charts, tables, post tags, strings and the export. It presents what the
analysis computed; it never measures and computes no figure of its own."""
