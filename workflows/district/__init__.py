"""The district's file: what it says (`config`), how it is read and checked, line by line
(`loading`, `reader`, `lines`), the built-in example district, and the district's working
time (`working_time`), outside which nobody is nudged."""
