"""Story clustering: the labelled pairs, their precision and recall, and the cost per story."""
