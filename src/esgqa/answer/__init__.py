"""The answer engine's parts that read table cells: candidates, named features, fitted weights."""
