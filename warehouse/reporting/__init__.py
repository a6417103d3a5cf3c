"""Reading the marts and pooling figures: the committee tables and their renderings,
year-on-year comparison, page analyses, rounding and suppression."""
