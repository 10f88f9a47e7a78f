"""`brochure send`: email each lead their personalised brochures, exactly once."""
