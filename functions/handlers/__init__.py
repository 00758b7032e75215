"""HTTP handlers: turn requests into calls on the domain modules and back into JSON."""
