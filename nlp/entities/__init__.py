"""Entities: the knowledge base (`kb`, with its YAML data), the linker, its patterns, rules and
NER filter, and the pipeline's entity stage."""
