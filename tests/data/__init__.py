"""Tests of the data checks (conformance/data/): test_<module>.py tests <module>.py; test_level.py
runs several of the level's requirements together. The XML corpora they read are in xml/."""
