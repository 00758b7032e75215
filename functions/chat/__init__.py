"""What happens after a message or a presence change lands: the triggers' work."""
