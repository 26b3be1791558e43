"""csops: an analytics warehouse for customer-service operations."""
