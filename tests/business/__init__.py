"""Tests of the business checks (conformance/business/), each proven both ways on the reference
agency: test_<module>.py tests <module>.py."""
