"""Tests of the network checks (conformance/network/): test_<module>.py tests <module>.py;
test_level.py runs the level's requirements together."""
