"""Tests of the departmental checks (conformance/departmental/): test_<module>.py tests <module>.py;
test_level.py runs the level's requirements together."""
