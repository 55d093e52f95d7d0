"""Offline evaluation: gold-article scoring (`tidings eval`), sentence-sentiment evaluation and
its baselines, and the sentiment speed bench. Runtime modules never import it."""
