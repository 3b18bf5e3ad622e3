"""The staff portal: pages and forms over the services' APIs, owning no business data."""
