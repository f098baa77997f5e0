"""Enterprise rules: entities and value objects, free of frameworks and I/O."""
